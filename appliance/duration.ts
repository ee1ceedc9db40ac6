// Durations as people and manifests write them: "10s", "1.5m", "500ms", or a bare number of
// seconds. One parser for the manifest and the command line, so both accept the same words.

const UNITS = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
]);

/** How to write a duration, for messages that refuse one. */
export const DURATION_SYNTAX = 'a number of seconds, or a number and ms, s or m (like 10s, 1.5m, 500ms)';

/** Milliseconds (rounded to whole ones) of "500ms", "10s", "1.5m" or "10" (seconds); null for anything else. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,12}(?:\.\d{1,6})?) ?(ms|s|m)?$/.exec(text);
  return m ? Math.round(Number(m[1]) * UNITS.get(m[2] ?? 's')!) : null;
}
