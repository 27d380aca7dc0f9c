/**
 * A run id (src/run/session.ts): the run's start time as an ISO timestamp with dashes for `:` and `.`
 * (`2026-12-02T18-22-36-930Z`), a dash, and a random hex suffix. The stamp, as regular-expression source.
 */
export const RUN_ID_STAMP = String.raw`\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-`;
/** The stamp's length in characters. */
export const RUN_ID_STAMP_LENGTH = '2026-12-02T18-22-36-930Z-'.length;
