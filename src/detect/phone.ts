import {
  type CountryCode,
  getCountryCallingCode,
  getExampleNumber,
  isSupportedCountry,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';

/** Country numbering facts, all taken from libphonenumber's metadata (no hand-written tables). */
export interface CountryInfo {
  country: string;
  /** Calling code digits, e.g. `44`. */
  cc: string;
  /** National trunk prefix for mobiles, e.g. `0` for GB, empty where there is none (IT). */
  trunk: string;
  /** NSN of the country's example mobile number (only its length and first digit are used). */
  exampleMobile: string;
}

const infoCache = new Map<string, CountryInfo | undefined>();

export function countryInfo(country: string): CountryInfo | undefined {
  const key = country.toUpperCase();
  if (infoCache.has(key)) return infoCache.get(key);
  let info: CountryInfo | undefined;
  if (isSupportedCountry(key)) {
    const cc = getCountryCallingCode(key as CountryCode);
    const ex = getExampleNumber(key as CountryCode, examples);
    const nsn = ex?.nationalNumber ?? '';
    const national = (ex?.formatNational() ?? '').replace(/\D/g, '');
    const trunk = national.endsWith(nsn) ? national.slice(0, national.length - nsn.length) : '';
    info = { country: key, cc, trunk, exampleMobile: nsn };
  }
  infoCache.set(key, info);
  return info;
}

/** Parse with a default country; never throws. */
export function parsePhone(text: string, country: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, country.toUpperCase() as CountryCode);
  } catch {
    return undefined;
  }
}

const MOBILE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * Is `+<cc><nsn>` shaped like a mobile number of the country's numbering plan? A valid number must be of a
 * mobile type; a number that is possible but in no allocated range (Ofcom's drama range 07700 900xxx is one) counts
 * when it has the length and leading digit of the country's example mobile number. Fail closed: a test number
 * injected by a gateway is still a subscriber-shaped value.
 */
export function isMobileShaped(nsn: string, info: CountryInfo): boolean {
  if (nsn.length < 6 || nsn.length > 13) return false;
  const key = `${info.country}|${nsn}`;
  const memo = shapeMemo.get(key);
  if (memo !== undefined) return memo;
  const result = computeMobileShaped(nsn, info);
  if (shapeMemo.size > 4096) shapeMemo.clear();
  shapeMemo.set(key, result);
  return result;
}

const shapeMemo = new Map<string, boolean>();

function computeMobileShaped(nsn: string, info: CountryInfo): boolean {
  const p = parsePhone(`+${info.cc}${nsn}`, info.country);
  if (!p || p.nationalNumber !== nsn || !p.isPossible()) return false;
  if (p.isValid()) return MOBILE_TYPES.has(p.getType() ?? '');
  return (
    info.exampleMobile.length === nsn.length &&
    info.exampleMobile.length > 0 &&
    info.exampleMobile[0] === nsn[0]
  );
}
