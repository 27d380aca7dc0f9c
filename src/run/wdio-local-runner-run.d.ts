/** WDIO's worker script (`@wdio/local-runner/run`): its package ships no types for it. */
declare module '@wdio/local-runner/run' {
  export const runner: unknown;
}
