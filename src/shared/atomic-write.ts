import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

let written = 0;

/** A temp file beside `file`, unique to this process and this write. */
const tempFor = (file: string) => `${file}.${process.pid}-${++written}.tmp`;

/**
 * Write `text` to `file` whole or not at all (temp file + rename): a reader, a crash, or another write of the same
 * file (a signal's synchronous one racing an asynchronous one) never sees half of it.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = tempFor(file);
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** The same, synchronously (a run stopped by a signal writes its last files this way). */
export function writeFileAtomicSync(file: string, text: string): void {
  const tmp = tempFor(file);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
