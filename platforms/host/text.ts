// Turning recorded bytes into text and lines, tolerant of whatever a host printed.
import type { Artifacts, CommandRecord } from './artifacts.ts';

/** Decodes UTF-8, or UTF-16LE as wsl.exe and PowerShell write it (with or without a BOM). */
export function decodeText(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder().decode(bytes.subarray(3));
  if (looksUtf16le(bytes)) return new TextDecoder('utf-16le').decode(bytes);
  return new TextDecoder().decode(bytes);
}

// UTF-16LE text of mostly ASCII has a NUL in most odd positions; UTF-8 text has none.
function looksUtf16le(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 2) return false;
  let oddNuls = 0;
  for (let i = 1; i < n; i += 2) if (bytes[i] === 0) oddNuls++;
  return oddNuls >= n / 4;
}

/** Lines without their endings (\n, \r\n or stray \r). */
export function lines(text: string): string[] {
  return text.split(/\r?\n|\r/);
}

export function fileText(a: Artifacts, path: string): string | null {
  const bytes = a.files.get(path);
  return bytes === undefined ? null : decodeText(bytes);
}

export interface CommandText {
  out: string;
  err: string;
  exit: number | null;
  timedOut: boolean;
  /** Ran, was not stopped, and exited 0 (or left no exit code). */
  ok: boolean;
}

export function commandText(a: Artifacts, name: string): CommandText | null {
  const rec: CommandRecord | undefined = a.commands.get(name);
  if (!rec) return null;
  const exit = rec.exit ?? null;
  const timedOut = rec.timeoutMs !== undefined;
  return { out: decodeText(rec.out), err: decodeText(rec.err), exit, timedOut, ok: !timedOut && (exit === null || exit === 0) };
}

/** Parses a decimal integer, or null. */
export function toInt(s: string | undefined | null): number | null {
  if (s == null) return null;
  const m = /^\s*(-?\d+)\s*$/.exec(s);
  return m ? Number(m[1]) : null;
}

const UNIT: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** "81559 MiB", "8 GB", "4096MB" -> bytes (binary units, as GPU tools mean them), or null. */
export function parseSize(s: string | undefined | null): number | null {
  if (s == null) return null;
  const m = /(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)\b/i.exec(s.trim());
  if (!m) return null;
  const unit = UNIT[m[2]!.toLowerCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

/** "01:00.0" / "00000000:01:00.0" / "0000:01:00.0" -> "0000:01:00.0" (lower case), or null. */
export function normalizePciBusId(s: string | undefined | null): string | null {
  if (s == null) return null;
  const m = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i.exec(s.trim());
  if (!m) return null;
  const domain = (m[1] ?? '0').slice(-4).padStart(4, '0');
  return `${domain}:${m[2]!.padStart(2, '0')}:${m[3]!.padStart(2, '0')}.${m[4]}`.toLowerCase();
}
