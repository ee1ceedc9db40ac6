// Recorded real outputs (see each folder's SOURCES.md): <case>.out, optional .err/.exit, and
// <case>.expect.json with what a person reads from that output.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IsolationReport } from '../../appliance/agent-protocol.ts';
import type { IsolationExpectation } from '../../appliance/isolation.ts';

export const FIXTURES = path.join(import.meta.dirname, 'fixtures');

export interface FixtureCase {
  name: string;
  bytes: Uint8Array;
  out: string;
  err: string;
  exit: number | null;
  expect: any;
}

export function fixtureCases(artifact: string): FixtureCase[] {
  const dir = path.join(FIXTURES, artifact);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.out'))
    .sort()
    .map((f) => {
      const base = path.join(dir, f.slice(0, -4));
      const read = (ext: string) => (existsSync(base + ext) ? readFileSync(base + ext) : null);
      const bytes = new Uint8Array(readFileSync(`${base}.out`));
      return {
        name: f.slice(0, -4),
        bytes,
        out: new TextDecoder().decode(bytes),
        err: read('.err')?.toString('utf8') ?? '',
        exit: read('.exit') ? Number(read('.exit')!.toString().trim()) : null,
        expect: read('.expect.json') ? JSON.parse(read('.expect.json')!.toString()) : {},
      };
    });
}

/** wsl.exe writes UTF-16LE; public reports quote it as text. This gives back wsl.exe's bytes. */
export const asUtf16le = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf16le'));

/** A REPORT answer of the agent, recorded in a container or a VM guest (agent-report/SOURCES.md). */
export const agentReport = (name: string): IsolationReport =>
  JSON.parse(readFileSync(path.join(FIXTURES, 'agent-report', `${name}.json`), 'utf8'));

/** What the sessions those reports come from asked for, as the isolation verdict expects it. */
export const RECORDED_ASK: IsolationExpectation = {
  isolation: 'container',
  workspaceBytes: 64 * 1048576,
  workspaceExec: false,
  memBytes: 128 * 1048576,
  shmBytes: 32 * 1048576,
  cpus: 1,
  pids: 64,
  gpuNodes: [],
};
