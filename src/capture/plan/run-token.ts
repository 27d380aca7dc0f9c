import { randomBytes } from 'node:crypto';

/** Run tokens: 24 random bytes (192 bits), base64url without padding, so always 32 characters. */
export const TOKEN_BYTES = 24;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export function newRunToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isRunToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
