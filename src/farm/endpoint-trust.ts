import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A deployed endpoint's private trust (`capture.ca`): the PEM certificates the API client trusts (Node's `ca`)
 * and the SHA-256 hashes of their public keys (SubjectPublicKeyInfo, base64) that Chromium is told to accept
 * with `--ignore-certificate-errors-spki-list` (Chromium's own way for a private CA without a certificate
 * database). Chromium matches a key of the chain the endpoint sends: put the CA in the file and have the
 * endpoint send its chain, or put the endpoint's own certificate in the file.
 */
export interface EndpointTrust {
  /** The file, as the farm names it (for messages). */
  file: string;
  pem: string;
  spki: string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The SPKI SHA-256 (base64) of one PEM certificate. */
export function spkiHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/** Parse PEM text: every certificate in it, or the problem (one line). */
export function parseTrust(text: string, file: string): EndpointTrust | string {
  const certs = text.match(PEM_CERT) ?? [];
  if (certs.length === 0) return `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
  try {
    return { file, pem: certs.join('\n'), spki: certs.map(spkiHash) };
  } catch {
    return `${file} holds a certificate that cannot be read`;
  }
}

/** Read and parse `file` (absolute); the problem as a string when it cannot be used. */
export function readTrust(abs: string, shown: string): EndpointTrust | string {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    return `cannot read ${shown} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return parseTrust(text, shown);
}
