/**
 * The incident record's text, as a small neutral document (headings, paragraphs, lists, tables, prompts) that the
 * Markdown and HTML renderers both print: one wording, two forms. Pure.
 */
import type { Exposure, Incident, LeakRecord, RunRef, Sighting } from './incident.ts';
import { NOT_RECORDED } from './incident.ts';

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; id: string; head: string[]; rows: string[][] }
  /** A fact only the carrier can give: what to write, and what headerguard saw that may help. */
  | { kind: 'prompt'; id: string; title: string; ask: string; seen: string | null };

export interface IncidentDocument {
  title: string;
  blocks: Block[];
}

export interface DocumentMeta {
  /** When the record was built (ISO). */
  generatedAt: string;
  tool: { name: string; version: string };
}

/** `2026-12-01T10:00:00.000Z` → `2026-12-01T10:00:00Z` (no space: a date and time stay readable when masked). */
export function shortTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

function when(s: Sighting | null, none: string): string {
  return s ? `${shortTime(s.startedAt)} (run ${s.runId})` : none;
}

function orNotRecorded(v: string | null): string {
  return v ?? NOT_RECORDED;
}

/** `MSISDN as E.164 with '+', URL-encoded → base64, sent by the network`. */
export function describeExposure(e: Exposure): string {
  const what = e.identifier ?? 'an identity header, by its name (value not matched to a known identifier)';
  const form = e.form ? ` as ${e.form}` : '';
  const encoding = e.encoding.length ? `, encoded ${e.encoding.join(' → ')}` : '';
  const sender = e.sentBy
    ? `, sent by the ${e.sentBy === 'unknown' ? 'network or device (unknown)' : e.sentBy}`
    : '';
  return `${what}${form}${encoding}${sender}`;
}

const GREEN_NONE = 'none yet (still failing in the newest run given)';

function recordRow(l: LeakRecord): string[] {
  return [
    l.header,
    l.bearer,
    orNotRecorded(l.apn),
    orNotRecorded(l.family),
    shortTime(l.firstSeen.startedAt),
    shortTime(l.lastSeen.startedAt),
    String(l.runsSeen),
    l.firstGreenAfter ? shortTime(l.firstGreenAfter.startedAt) : 'none yet',
    l.handsets.map((h) => h.id).join(', '),
    l.probeKinds.join(', '),
  ];
}

const RECORD_HEAD = [
  'header',
  'bearer',
  'APN',
  'IP family',
  'first seen',
  'last seen',
  'runs seen',
  'first green run after',
  'handsets',
  'probe kinds',
];

function recordDetail(l: LeakRecord): Block[] {
  const where = `${l.header} on ${l.bearer} (APN ${orNotRecorded(l.apn)}, IP family ${orNotRecorded(l.family)})`;
  return [
    { kind: 'heading', level: 3, text: where },
    {
      kind: 'list',
      items: [
        `Rules: ${l.rules.join(', ')} (severity ${l.severity})`,
        `First seen: ${when(l.firstSeen, '')}; last seen: ${when(l.lastSeen, '')}; in ${l.runsSeen} run(s)`,
        `First green run after it: ${when(l.firstGreenAfter, GREEN_NONE)}`,
        `Handsets: ${l.handsets.map((h) => `${h.id} (${h.device})`).join(', ')}`,
        `Probes: ${l.probes.join(', ')} (${l.probeKinds.join(', ')})`,
        ...l.exposures.map((e) => `Exposed: ${describeExposure(e)}. Evidence (masked): ${e.example}`),
        ...(l.simulatedOnly
          ? ['Seen only through the bearer simulator (a fault replay), not a carrier network']
          : []),
      ],
    },
  ];
}

function runRow(r: RunRef): string[] {
  return [
    r.runId,
    shortTime(r.startedAt),
    shortTime(r.finishedAt),
    r.verdict,
    r.farm,
    r.tag ?? '',
    r.change ?? '',
    r.simFault ?? '',
    r.source,
  ];
}

/** The record's wording, from the incident model. */
export function incidentDocument(incident: Incident, meta: DocumentMeta): IncidentDocument {
  const { runs, leaks, otherFailures } = incident;
  const title = 'Incident record: subscriber identifier exposure';
  const first = runs[0];
  const last = runs.at(-1);
  const kinds = [...new Set(leaks.flatMap((l) => l.exposures.flatMap((e) => e.identifier ?? [])))];
  const identifiers: string[] = kinds.length ? kinds : leaks.length ? ['identity headers (by name)'] : [];
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: title },
    {
      kind: 'paragraph',
      text:
        `Built by ${meta.tool.name} ${meta.tool.version} at ${shortTime(meta.generatedAt)} from ${runs.length} run(s)` +
        (first && last ? ` between ${shortTime(first.startedAt)} and ${shortTime(last.finishedAt)}` : '') +
        '. Every identifier is masked (first 4 and last 2 digits kept); no full identifier appears in this record.',
    },
    { kind: 'heading', level: 2, text: 'Summary' },
    {
      kind: 'list',
      items:
        leaks.length === 0
          ? [
              'No subscriber identifier reached the probe (third-party) host in these runs.',
              `Runs judged broken (not fully observed): ${incident.brokenRuns.length}`,
            ]
          : [
              `Exposure first seen: ${when(incident.firstSeen, '')}`,
              `Exposure last seen: ${when(incident.lastSeen, '')}`,
              `First green run after it: ${when(incident.firstGreenAfter, GREEN_NONE)}`,
              `Identifiers exposed: ${identifiers.join(', ')}`,
              `Bearers affected: ${incident.bearersAffected.join(', ')}`,
              `Test handsets affected: ${incident.handsetsAffected.length} (${incident.handsetsAffected.join(', ')})`,
              `Runs judged broken (not fully observed): ${incident.brokenRuns.length}` +
                (incident.brokenRuns.length
                  ? ` (${incident.brokenRuns.map((b) => shortTime(b.startedAt)).join(', ')})`
                  : ''),
              ...(leaks.every((l) => l.simulatedOnly)
                ? [
                    'Every exposure was seen through the bearer simulator (a fault replay), not a carrier network.',
                  ]
                : []),
            ],
    },
    { kind: 'heading', level: 2, text: 'Exposure per header, bearer, APN and IP family' },
    leaks.length
      ? { kind: 'table', id: 'leaks', head: RECORD_HEAD, rows: leaks.map(recordRow) }
      : { kind: 'paragraph', text: 'None.' },
    ...leaks.flatMap(recordDetail),
    { kind: 'heading', level: 2, text: 'Other failures (not an identifier exposure)' },
    otherFailures.length
      ? {
          kind: 'table',
          id: 'other-failures',
          head: ['rules', ...RECORD_HEAD],
          rows: otherFailures.map((l) => [l.rules.join(', '), ...recordRow(l)]),
        }
      : { kind: 'paragraph', text: 'None.' },
    { kind: 'heading', level: 2, text: 'Runs this record is built from' },
    {
      kind: 'table',
      id: 'runs',
      head: ['run', 'started', 'finished', 'verdict', 'farm', 'tag', 'change', 'simulator fault', 'folder'],
      rows: runs.map(runRow),
    },
    { kind: 'heading', level: 2, text: 'For the notification: facts only the carrier can give' },
    {
      kind: 'paragraph',
      text:
        'The ICO expects a personal data breach to be reported within 72 hours of becoming aware of it. ' +
        'headerguard saw test handsets only; fill in each item below from the gateway and subscriber records.',
    },
    ...prompts(incident, identifiers),
  ];
  return { title, blocks };
}

function prompts(incident: Incident, identifiers: readonly string[]): Block[] {
  const window = incident.firstSeen
    ? `from ${shortTime(incident.firstSeen.startedAt)} to ${
        incident.firstGreenAfter ? shortTime(incident.firstGreenAfter.startedAt) : 'now (not yet green)'
      }`
    : null;
  const bearers = incident.bearersAffected.join(', ');
  return [
    {
      kind: 'prompt',
      id: 'nature',
      title: 'Nature of the breach',
      ask: 'What happened, how and when it started (e.g. the maintenance or change that caused it), and when the carrier became aware of it.',
      seen: window
        ? `Subscriber identifiers were sent to third-party web sites by the network ${window}, on ${bearers}.`
        : null,
    },
    {
      kind: 'prompt',
      id: 'categories',
      title: 'Categories of personal data and of people concerned',
      ask: 'Which data (phone numbers, IMSI, IMEI, browsing context) and which people (subscribers of which brands and plans, their contacts).',
      seen: identifiers.length ? `Identifiers seen: ${identifiers.join(', ')}.` : null,
    },
    {
      kind: 'prompt',
      id: 'number',
      title: 'Approximate number of people and of records concerned',
      ask: "Subscribers whose traffic went through the affected gateways, bearers and APNs during the window, from the gateway's session logs; the number of requests sent to third parties.",
      seen: window
        ? `headerguard's test handsets affected: ${incident.handsetsAffected.length}; every subscriber on ${bearers} ${window} may be concerned.`
        : null,
    },
    {
      kind: 'prompt',
      id: 'consequences',
      title: 'Likely consequences',
      ask: 'What third parties could do with the identifiers (tracking across sites, linking browsing to a named subscriber, SIM-swap or social-engineering risk).',
      seen: null,
    },
    {
      kind: 'prompt',
      id: 'measures',
      title: 'Measures taken or proposed',
      ask: 'What was done to stop it and when (rollback, configuration fix), how the fix was verified, and how the people concerned are told.',
      seen: incident.firstGreenAfter
        ? `The first green run after the exposure: ${when(incident.firstGreenAfter, '')}.`
        : null,
    },
    {
      kind: 'prompt',
      id: 'contact',
      title: 'Contact point',
      ask: 'The data protection officer or other contact for the ICO.',
      seen: null,
    },
  ];
}
