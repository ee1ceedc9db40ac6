// After a failure, what the appliance wrote last is kept in one file to show someone: never dumped
// on the screen, and never written when nothing went wrong.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeFolders } from '../platforms/make-folders.ts';

export const errorLogPath = () => path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ai-way', 'last-error.log');

/** Writes the log and returns where; null when it cannot be written (that costs only the log). */
export async function writeErrorLog(message: string, detail: string, log: string): Promise<string | null> {
  const file = errorLogPath();
  try {
    await makeFolders(path.dirname(file));
    await writeFile(file, `${new Date().toISOString()} ${message}\n${detail}\n${log}\n`);
    return file;
  } catch {
    return null;
  }
}
