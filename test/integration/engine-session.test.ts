// An engine is judged by what the appliance sees inside, not by the flags it was given. Bolt itself
// cannot be installed here, so two stand-ins play engines that fall short, each running real
// Podman: one claims every isolation flag (its help is Podman's own) but drops them, as Bolt 0.1.0
// drops --gpu; the other offers none of them, as Bolt 0.1.0's `run` does not. What the agent's own
// sandbox gives the app holds without the engine; what only the engine can give is caught.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Session } from '../../launcher/session/session.ts';
import { Failure } from '../../appliance/failures.ts';
import { loadAppliance } from '../../launcher/appliance-source.ts';
import { loadReport } from '../../launcher/host-source.ts';
import { makePlan, type Plan, type PlanAppliance } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { linux } from '../../platforms/linux/index.ts';
import { EXIT } from '../../launcher/exit-codes.ts';
import { rootlessUnavailable } from '../support/rootless.ts';
import { takeSessionTurns } from '../support/sessions.ts';

const why = process.getuid?.() !== 0 ? 'the in-process sessions here use rootful Podman, which needs root' : rootlessUnavailable();
if (why) console.warn(`SKIPPING engine judgement sessions: ${why}`);

const bin = mkdtempSync(path.join(os.tmpdir(), 'ai-way-engine-'));
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const DROPPED = new Set(['--read-only', '--read-only-tmpfs=false', '--cap-drop=all']);
const DROPPED_WITH_VALUE = new Set(['--uidmap', '--gidmap']);
function standIn(name: string, body: string): string {
  const dir = path.join(bin, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'bolt'), `#!${process.execPath}\n${body}\n`);
  chmodSync(path.join(dir, 'bolt'), 0o755);
  return dir;
}

async function planWith(engine: Plan['engine']): Promise<Plan & { appliance: PlanAppliance }> {
  const manifest = await loadAppliance('selftest');
  const { report } = await loadReport(undefined);
  const plan = makePlan(ADAPTERS, report, { image: 'auto', gpu: 'none' }, manifest);
  return { ...plan, engine, appliance: plan.appliance! };
}

describe.skipIf(why)('engines judged from inside', () => {
  takeSessionTurns();
  it('an engine that accepts the isolation flags and drops them fails the session (exit 7), and is cleaned up', async () => {
    process.env.PATH = `${standIn(
      'drops',
      `
const { spawnSync } = require('node:child_process');
const a = process.argv.slice(2);
if (a[0] === 'run' && a[1] === '--help') process.exit(spawnSync('podman', ['run', '--help'], { stdio: 'inherit' }).status);
const dropped = new Set(${JSON.stringify([...DROPPED])});
const droppedWithValue = new Set(${JSON.stringify([...DROPPED_WITH_VALUE])});
const out = [];
for (let i = 0; i < a.length; i++) {
  if (dropped.has(a[i])) continue;
  if (droppedWithValue.has(a[i])) { i++; continue; }
  if (a[i] === '--security-opt' && a[i + 1] === 'no-new-privileges') { i++; continue; }
  out.push(a[i] === '--network=none' ? '--network=host' : a[i]);
}
process.exit(spawnSync('podman', out, { stdio: 'inherit' }).status ?? 1);`,
    )}:${savedPath}`;
    const events: any[] = [];
    const session = new Session(await planWith({ name: 'bolt', reason: 'test', chosenBy: 'user' }), await linux.load(), (e) =>
      events.push(e),
    );
    const error = await session.boot().then(
      () => null,
      (e) => e,
    );
    await session.wipe('test over');
    expect(error).toBeInstanceOf(Failure);
    expect(error.code).toBe('isolation');
    expect(error.exitCode).toBe(EXIT.isolationNotProven);
    const facts = events.find((e) => e.type === 'verified').facts;
    // the host's own users inside: only the engine could have mapped them away
    expect(facts.filter((f: any) => !f.ok).map((f: any) => f.id)).toEqual(['user-namespace']);
    // the engine's network, writable root, capabilities and privileges never reach the app
    const held = facts.filter((f: any) => f.ok).map((f: any) => f.id);
    expect(held).toEqual(
      expect.arrayContaining(['network', 'outbound', 'read-only-root', 'capabilities', 'no-new-privileges', 'seccomp', 'apart-from-agent']),
    );
    expect(spawnSync('podman', ['container', 'exists', `ai-way-${session.id}`]).status).not.toBe(0);
  }, 60_000);

  it('an engine whose run lacks every flag: refused before anything starts if asked for, replaced by Podman if only found', async () => {
    process.env.PATH = `${standIn('bare', 'process.exit(0);')}:${savedPath}`;
    const asked = new Session(await planWith({ name: 'bolt', reason: 'test', chosenBy: 'user' }), await linux.load(), () => undefined);
    const error = await asked.boot().then(
      () => null,
      (e) => e,
    );
    expect(error).toMatchObject({ exitCode: EXIT.isolationNotProven, message: expect.stringContaining('--network') });
    await asked.wipe('test over');

    const events: any[] = [];
    const found = new Session(await planWith({ name: 'bolt', reason: 'test', chosenBy: 'policy' }), await linux.load(), (e) =>
      events.push(e),
    );
    try {
      await found.boot();
      expect(events.find((e) => e.type === 'warning')?.message).toContain('Podman runs the appliance instead');
      expect(events.find((e) => e.type === 'verified').proven).toBe(true);
    } finally {
      await found.wipe('test over');
    }
  }, 60_000);
});
