import { type CountryCode, Metadata } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/max/metadata';

/**
 * A country's trunk (national) prefix in libphonenumber's metadata: `0` for GB, `1` for US, `8` for RU;
 * undefined where the plan has none (Italy dials its numbers as they are). Callers check the country first.
 */
export function nationalPrefixOf(country: string): string | undefined {
  const cached = CACHE.get(country);
  if (cached !== undefined || CACHE.has(country)) return cached;
  const m = new Metadata(metadata);
  m.selectNumberingPlan(country as CountryCode);
  const prefix = (m.numberingPlan as unknown as { nationalPrefix(): unknown } | undefined)?.nationalPrefix();
  const value = typeof prefix === 'string' && /^\d+$/.test(prefix) ? prefix : undefined;
  CACHE.set(country, value);
  return value;
}

const CACHE = new Map<string, string | undefined>();
