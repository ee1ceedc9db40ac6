// Every temporary file of a test run goes under one folder, removed when the run ends.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-tests-'));
  chmodSync(dir, 0o755); // the rootless test user reads files made here
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
