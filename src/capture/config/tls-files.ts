/**
 * Certificate rotation for `serve --tls-cert/--tls-key` (ACME renews every 60-90 days): on SIGHUP, and when
 * either file changes, both are read again and handed to the running endpoint. A pair that does not load (a
 * half-written renewal, the wrong key) is refused with one line and the endpoint keeps the certificate it has.
 *
 * The files are polled (`fs.watchFile`: a stat by path), not watched by inode: certbot and most ACME clients
 * replace a file or swap a symlink, which an inode watch would lose.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs';
import { describeError } from '../../shared/errors.ts';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

export interface TlsReloadOptions {
  /** Install the new pair; throws (UserError) when it does not load. */
  apply: (cert: string, key: string) => void;
  /** One line per reload: said on success, warned on refusal. */
  say: (line: string) => void;
  warn: (line: string) => void;
  /** How often the files are checked. Default 1 s. */
  intervalMs?: number;
  /** A change is acted on once both files have been quiet this long (a renewal writes two files). Default 250 ms. */
  settleMs?: number;
  read?: (path: string) => string;
}

export interface TlsReloader {
  /** Read both files and install them now; `why` goes into the line (`SIGHUP`, `file changed`). */
  reload(why: string): void;
  stop(): void;
}

function validTo(cert: string): string | undefined {
  try {
    return new Date(new X509Certificate(cert).validTo).toISOString();
  } catch {
    return undefined;
  }
}

export function watchTlsFiles(files: TlsFiles, options: TlsReloadOptions): TlsReloader {
  const read = options.read ?? ((p: string) => readFileSync(p, 'utf8'));
  const settleMs = options.settleMs ?? 250;
  let current: { cert: string; key: string } | undefined;
  try {
    current = { cert: read(files.certPath), key: read(files.keyPath) };
  } catch {
    current = undefined; // the first reload says what is wrong
  }
  /** The last pair refused: the file watch does not refuse it again (SIGHUP does try again). */
  let refused: { cert: string; key: string } | undefined;
  let settle: NodeJS.Timeout | undefined;
  const same = (a: { cert: string; key: string } | undefined, cert: string, key: string) =>
    a !== undefined && a.cert === cert && a.key === key;

  const reload = (why: string): void => {
    let cert: string;
    let key: string;
    try {
      cert = read(files.certPath);
      key = read(files.keyPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      options.warn(
        `headerguard: warning: TLS certificate not reloaded (${why}), keeping the current one: cannot read ` +
          `${(err as { path?: string }).path ?? 'a file'}${code ? ` (${code})` : ''}`,
      );
      return;
    }
    if (why !== 'SIGHUP' && (same(current, cert, key) || same(refused, cert, key))) return;
    try {
      options.apply(cert, key);
    } catch (err) {
      refused = { cert, key };
      options.warn(
        `headerguard: warning: TLS certificate not reloaded (${why}), keeping the current one: ${describeError(err)}`,
      );
      return;
    }
    current = { cert, key };
    refused = undefined;
    const until = validTo(cert);
    options.say(
      `headerguard serve: TLS certificate reloaded from ${files.certPath} (${why})${until ? `, valid until ${until}` : ''}`,
    );
  };

  const changed = (now: Stats, before: Stats) => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => {
      settle = undefined;
      reload('file changed');
    }, settleMs);
    settle.unref();
  };
  const interval = options.intervalMs ?? 1000;
  for (const path of [files.certPath, files.keyPath]) {
    watchFile(path, { interval, persistent: false }, changed);
  }
  return {
    reload,
    stop() {
      if (settle) clearTimeout(settle);
      for (const path of [files.certPath, files.keyPath]) unwatchFile(path, changed);
    },
  };
}
