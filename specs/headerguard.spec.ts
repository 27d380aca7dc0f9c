// One worker = one handset: create a run, browse the probe plan through the handset's bearer, judge, and
// report one test per rule. The logic lives in src/run/ (handset-spec.ts, spec-support.ts).
import { defineHandsetSpec } from '../src/run/handset-spec.ts';

await defineHandsetSpec();
