/** The HTTPS listener's certificate: the operator's PEM pair, or a self-signed one made at start-up. */
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import selfsigned from 'selfsigned';
import { describeError, UserError } from '../../shared/errors.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  selfSigned: boolean;
}

/** Check that a certificate and key load together; UserError (no PEM text in it) when not. */
export function checkTlsPair(cert: string, key: string): void {
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new UserError(`TLS certificate and key cannot be used together: ${describeError(err)}`);
  }
}

/** A self-signed EC certificate for the given host names (and loopback), valid for 30 days. */
export async function selfSignedFor(hosts: readonly string[]): Promise<TlsMaterial> {
  const names = [...new Set([...hosts, 'localhost', '127.0.0.1', '::1'])];
  const altNames = names.map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 30 * 24 * 3600_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private, selfSigned: true };
}

export async function tlsMaterial(
  hosts: readonly string[],
  cert: string | undefined,
  key: string | undefined,
): Promise<TlsMaterial> {
  if (cert === undefined && key === undefined) return selfSignedFor(hosts);
  if (cert === undefined || key === undefined) {
    throw new UserError(
      'a TLS certificate needs its key and a key needs its certificate: give both or neither',
    );
  }
  checkTlsPair(cert, key);
  return { cert, key, selfSigned: false };
}
