import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockDatabase } from '../../src/capture/store/file-lock.ts';
import { UserError } from '../../src/shared/errors.ts';

describe('capture/store: one endpoint process per database file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the lock, counts this process opening it twice, and releases it on the last close', () => {
    const db = path.join(dir, 'hg.db');
    const a = lockDatabase(db);
    const b = lockDatabase(db);
    assert.ok(existsSync(`${db}.lock`));
    a.release();
    assert.ok(existsSync(`${db}.lock`), 'still held by the second open');
    b.release();
    b.release();
    assert.ok(!existsSync(`${db}.lock`));
  });

  it('refuses a file another live process holds, naming the file and the pid', async () => {
    const db = path.join(dir, 'hg.db');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(`${db}.lock`, `${other.pid}\n`);
      assert.throws(
        () => lockDatabase(db),
        (err: unknown) =>
          err instanceof UserError &&
          err.message ===
            `database ${db} is in use by another headerguard process (pid ${other.pid}): one endpoint per database file (lock ${db}.lock)`,
      );
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that died (kill -9)', async () => {
    const db = path.join(dir, 'hg.db');
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    await writeFile(`${db}.lock`, `${gone.pid}\n`);
    const lock = lockDatabase(db);
    assert.equal((await readFile(`${db}.lock`, 'utf8')).trim(), String(process.pid));
    lock.release();
  });
});
