// Files ai-way carries with it. From a checkout they are ordinary files; inside the single
// executable they are its assets, seen under a virtual folder so paths work the same way. Either
// way a read has its caller's cap.
import { ReadRefused, readRegularFile } from './bounded-read.ts';

/** Set by the single executable's entry (packaging/sea-entry.cjs) before the program loads. */
interface SingleExecutable {
  /** The asset's bytes, not copied (read-only). */
  getAsset(key: string): ArrayBuffer;
  loadUi(): Promise<unknown>;
}

const sea = (): SingleExecutable | undefined => (globalThis as { __aiWaySea?: SingleExecutable }).__aiWaySea;

/** The virtual folder the executable's assets appear under. */
export const EMBEDDED_ROOT = '/ai-way-embedded';

export const isSingleExecutable = (): boolean => sea() !== undefined;

/** The asset a path under EMBEDDED_ROOT names, inside the single executable; null for any other file. */
export function carriedAsset(file: string, maxBytes: number): Uint8Array | null {
  const s = sea();
  if (!s || !file.startsWith(`${EMBEDDED_ROOT}/`)) return null;
  let asset: ArrayBuffer;
  try {
    asset = s.getAsset(file.slice(EMBEDDED_ROOT.length + 1));
  } catch {
    throw Object.assign(new Error(`${file} is not inside this ai-way`), { code: 'ENOENT' });
  }
  if (asset.byteLength > maxBytes) throw ReadRefused.tooBig(file, maxBytes);
  return new Uint8Array(asset);
}

/** Reads at most `maxBytes` of a regular file, from the executable's assets when the path is under EMBEDDED_ROOT. */
export async function readCarried(file: string, maxBytes: number): Promise<Uint8Array> {
  return carriedAsset(file, maxBytes) ?? readRegularFile(file, maxBytes);
}

/** The single executable's UI bundle loader, when running as one. */
export const embeddedUi = (): (() => Promise<unknown>) | null => sea()?.loadUi.bind(sea()) ?? null;
