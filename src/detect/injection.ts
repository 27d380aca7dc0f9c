import type { HeaderPair } from '../model/capture.ts';
import { isSchemeVarying } from './scheme-varying.ts';

/**
 * The injection diff: what the network added to or changed in a plain-HTTP request, judged against the HTTPS
 * control (TLS cannot be enriched, so what the browser sends over HTTPS is what it sent over HTTP).
 */

export interface ControlCapture {
  probe: string;
  headers: HeaderPair[];
}

export interface Control {
  probes: string[];
  /** Lower-case name → every value the control captures carry. */
  values: Map<string, string[]>;
  cookiePairs: Set<string>;
}

export function buildControl(captures: readonly ControlCapture[]): Control {
  const values = new Map<string, string[]>();
  const cookiePairs = new Set<string>();
  for (const c of captures) {
    for (const [name, value] of c.headers) {
      const lower = name.toLowerCase();
      const list = values.get(lower);
      if (list) list.push(value);
      else values.set(lower, [value]);
      if (lower === 'cookie') for (const p of cookiePairsOf(value)) cookiePairs.add(p);
    }
  }
  return { probes: [...new Set(captures.map((c) => c.probe))], values, cookiePairs };
}

export type InjectionKind = 'added' | 'changed' | 'cookie';

export interface Injected {
  /** Index of the header in the capture. */
  index: number;
  name: string;
  lower: string;
  kind: InjectionKind;
  /** The part the network contributed: the whole value, the appended part, or the added cookie pairs. */
  part: string;
  /** Masking-safe description of the change (no values). */
  detail: string;
}

export function cookiePairsOf(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(';')) {
    const p = raw.trim();
    if (p) out.push(p);
  }
  return out;
}

/** Headers of `headers` that the network added or changed relative to `control`. */
export function diffAgainstControl(headers: readonly HeaderPair[], control: Control): Injected[] {
  const out: Injected[] = [];
  const remaining = new Map<string, string[]>();
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    const lower = name.toLowerCase();
    if (isSchemeVarying(lower)) continue;
    if (lower === 'cookie') {
      const added = cookiePairsOf(value).filter((p) => !control.cookiePairs.has(p));
      if (added.length > 0) {
        const names = added.map((p) => p.split('=')[0]!.trim());
        out.push({
          index: i,
          name,
          lower,
          kind: 'cookie',
          part: added.join('; '),
          detail: `cookie pairs not sent over HTTPS: ${names.join(', ')}`,
        });
      }
      continue;
    }
    const controlValues = control.values.get(lower);
    if (!controlValues) {
      out.push({
        index: i,
        name,
        lower,
        kind: 'added',
        part: value,
        detail: 'absent from the HTTPS control',
      });
      continue;
    }
    let left = remaining.get(lower);
    if (!left) {
      left = [...controlValues];
      remaining.set(lower, left);
    }
    const k = left.indexOf(value);
    if (k !== -1) {
      left.splice(k, 1);
      continue;
    }
    if (controlValues.includes(value)) {
      out.push({
        index: i,
        name,
        lower,
        kind: 'added',
        part: value,
        detail: 'duplicated: sent more often than over HTTPS',
      });
      continue;
    }
    const { part, detail } = changedPart(value, controlValues);
    out.push({ index: i, name, lower, kind: 'changed', part, detail });
  }
  return out;
}

function changedPart(value: string, controls: readonly string[]): { part: string; detail: string } {
  for (const c of controls) {
    if (c && value.startsWith(c)) {
      return {
        part: value.slice(c.length),
        detail: `value changed: ${value.length - c.length} chars appended`,
      };
    }
    if (c && value.endsWith(c)) {
      return {
        part: value.slice(0, value.length - c.length),
        detail: `value changed: ${value.length - c.length} chars prepended`,
      };
    }
  }
  for (const c of controls) {
    const i = c ? value.indexOf(c) : -1;
    if (i !== -1) {
      return {
        part: `${value.slice(0, i)} ${value.slice(i + c.length)}`,
        detail: 'value changed: text added around the original',
      };
    }
  }
  const known = new Set(controls.flatMap((c) => c.split(/[;,\s]+/)));
  const added = value.split(/[;,\s]+/).filter((t) => t && !known.has(t));
  return { part: added.length ? added.join(' ') : value, detail: 'value differs from the HTTPS control' };
}
