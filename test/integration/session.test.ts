// Real sessions of the selftest appliance with real rootless Podman: boot, isolation proven from
// inside, files in, questions, and the wipe after every kind of ending, SIGKILL included.
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { podmanAsUser, rootlessUnavailable } from '../support/rootless.ts';
import { launcherPid, rootless, rootlessRuns, sessionContainers, withSomeoneElsesSession, takeSessionTurns } from '../support/sessions.ts';
import { EXIT } from '../../launcher/exit-codes.ts';

const why = rootlessUnavailable();
if (why) console.warn(`SKIPPING real appliance sessions: ${why}`);

describe.skipIf(why !== null)('selftest appliance, rootless', () => {
  takeSessionTurns();
  // Another session runs beside these tests all along; none of them may count it.
  withSomeoneElsesSession(rootless);
  const { start, noLeftovers } = rootlessRuns();
  const scratch: string[] = [];
  afterAll(() => {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  it('boots, proves isolation from inside, answers, passes its smoke check and wipes', async () => {
    const tmpBefore = new Set(readdirSync('/tmp'));
    const run = start([]);
    const verified = await run.next('verified');
    expect(verified.proven).toBe(true);
    const facts = Object.fromEntries(verified.facts.map((f: any) => [f.id, f]));
    for (const id of [
      'network',
      'outbound',
      'read-only-root',
      'workspace',
      'capabilities',
      'no-new-privileges',
      'seccomp',
      'user-namespace',
      'memory-limit',
      'pids-limit',
    ]) {
      expect([id, facts[id]?.ok]).toEqual([id, true]);
    }
    expect(facts.network.detail).toBe('network interfaces: lo');
    expect(facts.workspace.detail).toContain('noexec');
    expect((await run.next('ready')).bootMs).toBeGreaterThan(0);
    expect((await run.next('smoke')).ok).toBe(true);
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(await noLeftovers(run)).toEqual([]);
    // No host temporary folder of the session (Podman's own runtime folders persist by design).
    expect(readdirSync('/tmp').filter((f) => !tmpBefore.has(f) && !/^(podman-run-|containers-user-|storage-run-|run-\d)/.test(f))).toEqual(
      [],
    );
  });

  it('takes files in, refuses bad ones, answers from the workspace, and wipes on end of input', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-files-'));
    scratch.push(dir);
    chmodSync(dir, 0o755);
    const good = path.join(dir, 'notes.txt');
    const text = 'The appliance keeps notes. Notes stay inside.\n';
    writeFileSync(good, text);
    const link = path.join(dir, 'link.txt');
    symlinkSync(good, link);
    const ctrl = path.join(dir, 'bad\u0001name');
    writeFileSync(ctrl, 'x');
    const big = path.join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(65 * 1024 * 1024));
    for (const f of [good, link, ctrl, big]) chmodSync(f, 0o644);

    const run = start(['--hold']);
    await run.next('ready');
    const send = (c: object) => run.child.stdin!.write(`${JSON.stringify(c)}\n`);
    send({ op: 'add', path: good });
    expect(await run.next('uploaded')).toMatchObject({
      name: 'notes.txt',
      size: text.length,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    // Each refusal names the file once, sizes in the units the UI shows.
    for (const [file, reason] of [
      [link, /a link/],
      ['/dev/null', /a device/],
      [dir, /a folder/],
      [ctrl, /control characters/],
      [big, /^big\.bin: 65 MiB does not fit; the workspace has 6\d MiB free$/],
      [good, /^notes\.txt: already added/],
      [path.join(dir, 'gone.txt'), new RegExp(`^${dir}/gone\\.txt: file not found$`)],
    ] as const) {
      send({ op: 'add', path: file });
      expect((await run.next('refused')).message).toMatch(reason);
    }
    send({ op: 'http', method: 'POST', path: '/cgi-bin/ask', body: 'notes' });
    const answer = await run.next('answer');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('notes: notes.txt (2)');
    send({ op: 'list' });
    expect((await run.next('files')).files).toEqual([{ name: 'notes.txt', size: text.length }]);
    run.child.stdin!.end();
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(await noLeftovers(run)).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s during a held session wipes everything', async (signal) => {
    const run = start(['--hold']);
    await run.next('ready');
    process.kill(launcherPid(run), signal);
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(await noLeftovers(run)).toEqual([]);
  });

  it("SIGKILL of the launcher mid-session: the dead man's switch leaves nothing within 5 s", async () => {
    const run = start(['--hold']);
    await run.next('ready');
    const pid = launcherPid(run);
    expect(sessionContainers(rootless, pid)).toHaveLength(1);
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, 'SIGKILL');
    expect(await noLeftovers(run, 5000)).toEqual([]);
  });

  it('a session left by a crash is reaped at the next start', async () => {
    const made = podmanAsUser([
      'run',
      '-d',
      '--pull=never',
      '--network=none',
      '--label',
      'ai-way.session=crashed',
      '--label',
      'ai-way.launcher-pid=999999',
      '--entrypoint',
      '/bin/busybox',
      'localhost/ai-way-selftest:0.1.0',
      'sleep',
      '600',
    ]);
    expect(made.code).toBe(0);
    const run = start([]);
    expect((await run.next('warning')).message).toMatch(/removed \d+ session/); // this one, and any other crash's
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(podmanAsUser(['container', 'exists', made.out.trim()]).code).toBe(1);
    expect(await noLeftovers(run)).toEqual([]);
  });
});
