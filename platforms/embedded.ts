// Files ai-way carries with it. From a checkout they are ordinary files; inside the single
// executable they are its assets, seen under a virtual folder so paths work the same way.
import { readFile } from 'node:fs/promises';

/** Set by the single executable's entry (packaging/sea-entry.cjs) before the program loads. */
interface SingleExecutable {
  getAsset(key: string): ArrayBuffer;
  loadUi(): Promise<unknown>;
}

const sea = (): SingleExecutable | undefined => (globalThis as { __aiWaySea?: SingleExecutable }).__aiWaySea;

/** The virtual folder the executable's assets appear under. */
export const EMBEDDED_ROOT = '/ai-way-embedded';

export const isSingleExecutable = (): boolean => sea() !== undefined;

/** Reads a file, from the executable's assets when the path is under EMBEDDED_ROOT. */
export async function readCarried(file: string): Promise<Uint8Array> {
  const s = sea();
  if (s && file.startsWith(`${EMBEDDED_ROOT}/`)) {
    try { return new Uint8Array(s.getAsset(file.slice(EMBEDDED_ROOT.length + 1))); } catch {
      throw Object.assign(new Error(`${file} is not inside this ai-way`), { code: 'ENOENT' });
    }
  }
  return new Uint8Array(await readFile(file));
}

/** The single executable's UI bundle loader, when running as one. */
export const embeddedUi = (): (() => Promise<unknown>) | null => sea()?.loadUi.bind(sea()) ?? null;
