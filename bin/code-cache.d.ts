/** Types of code-cache.js (plain JavaScript: the bin loads it before any TypeScript can). */
export function loadBundle(file: string, options: { cacheKey: string }): unknown;
export function codeCacheState(file: string): 'used' | 'absent' | 'rejected' | 'off' | undefined;
export function codeCacheFile(file: string, cacheKey: string): string;
export function writeCodeCache(cacheFile: string, data: () => Buffer): void;
