// The WSL2 adapter's whole session on this Linux machine, through the wsl.exe stand-in: the real
// guest's tarball imported as a private distribution, the real agent started in it by --exec, every
// isolation fact proven from inside, a file in, an answer, the wipe (the distribution unregistered,
// its folder gone), and what a killed launcher left reaped by the next start.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { Session } from '../../launcher/session/session.ts';
import { adapterEntry } from '../../platforms/registry.ts';
import { expectGuestFacts } from '../support/vm-sessions.ts';
import { useWslStandIn, windowsPlan, wslLeftovers, wslStandInUnavailable } from '../support/wsl-sessions.ts';

const why = wslStandInUnavailable();
if (why) console.warn(`SKIPPING the WSL2 adapter's sessions: ${why}`);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ai-way-wsl-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(why)('the WSL2 adapter, through the wsl.exe stand-in', () => {
  it('imports, proves, takes a file, answers, and wipes: nothing left', { timeout: 60_000 }, async () => {
    const standIn = useWslStandIn();
    try {
      const events: any[] = [];
      const session = new Session(await windowsPlan(), await adapterEntry('wsl2').load(), (e) => events.push(e));
      await session.boot().catch(async (e) => {
        await session.wipe('failed');
        throw new Error(
          `${e.message}: ${e.detail ?? ''} ${JSON.stringify(events.find((x) => x.type === 'verified')?.facts.filter((f: any) => !f.ok))}`,
        );
      });
      const verified = events.find((e) => e.type === 'verified');
      // Every fact proven; this host's kernel binds the memory and cpu controllers to cgroup v1, so
      // there (as on a WSL kernel that does the same) those two limits are said not to hold, never ticked.
      expect(verified.facts.filter((f: any) => !f.ok)).toEqual([]);
      const unenforced = verified.facts.filter((f: any) => f.warning).map((f: any) => f.id);
      expect(unenforced.filter((id: string) => id !== 'memory-limit' && id !== 'cpu-limit')).toEqual([]);
      expectGuestFacts(verified.facts.map((f: any) => ({ id: f.id, ok: f.ok })));
      expect(events.find((e) => e.type === 'ready')).toMatchObject({
        platform: 'wsl2',
        guest: { flavor: 'alpine', accelerator: 'hyperv', kernel: '5.15.83.1' },
      });
      expect(wslLeftovers(standIn)).toHaveLength(2); // the distribution and its folder, while it runs

      const text = 'The appliance keeps notes. Notes stay inside.\n';
      const notes = path.join(scratch, 'notes.txt');
      writeFileSync(notes, text);
      expect(await session.addFile(notes)).toMatchObject({ name: 'notes.txt', sha256: createHash('sha256').update(text).digest('hex') });
      expect((await session.ask('POST', '/cgi-bin/ask', 'notes')).body).toContain('notes: notes.txt (2)');
      await session.wipe('the test is over');
      expect(wslLeftovers(standIn)).toEqual([]);
    } finally {
      standIn.restore();
    }
  });

  it('reaps at the next start what a killed launcher left: its distribution and its folder', { timeout: 60_000 }, async () => {
    const standIn = useWslStandIn();
    try {
      // A launcher of its own, killed once its session is up.
      const script = `
        import { Session } from ${JSON.stringify(path.resolve('launcher/session/session.ts'))};
        import { adapterEntry } from ${JSON.stringify(path.resolve('platforms/registry.ts'))};
        import { windowsPlan } from ${JSON.stringify(path.resolve('test/support/wsl-sessions.ts'))};
        const s = new Session(await windowsPlan(), await adapterEntry('wsl2').load(), () => undefined);
        await s.boot();
        console.log('ready');
        setInterval(() => undefined, 1000);`;
      const entry = path.join(scratch, 'launcher.ts');
      writeFileSync(entry, script);
      // Inside the checkout: the launcher finds what it carries from where its program lies.
      const bundled = path.resolve('build', `wsl-launcher-test-${process.pid}.mjs`);
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundled, logLevel: 'error' });
      const child = spawn(process.execPath, [bundled], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.on('close', () => rmSync(bundled, { force: true }));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`the launcher ended first (${code})`)));
      });
      expect(wslLeftovers(standIn)).toHaveLength(2);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      const removed = await (await adapterEntry('wsl2').load()).reap();
      expect(removed).toHaveLength(2);
      expect(wslLeftovers(standIn)).toEqual([]);
    } finally {
      standIn.restore();
    }
  });
});
