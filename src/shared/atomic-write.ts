import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

let written = 0;

/** A temp file beside `file`, unique to this process and this write. */
const tempFor = (file: string) => `${file}.${process.pid}-${++written}.tmp`;

/**
 * Write `text` to `file` whole or not at all (temp file + rename): a reader, a crash, or another write of the same
 * file (a signal's synchronous one racing an asynchronous one) never sees half of it. A write that fails leaves
 * no temp file behind.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = tempFor(file);
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The same, synchronously (a run stopped by a signal writes its last files this way). */
export function writeFileAtomicSync(file: string, text: string): void {
  const tmp = tempFor(file);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
