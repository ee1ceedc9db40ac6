// Real sessions of the selftest appliance with real rootless Podman, against a hostile app and an
// appliance that goes away: endless answers and forged request lines, the engine killed mid-session,
// leftovers of launchers that are gone, uncaught errors, and the app's text shown as harmless text.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { aiWayAsUser, podmanAsUser, rootlessUnavailable } from '../support/rootless.ts';
import {
  launcherPid,
  rootless,
  rootlessRuns,
  sessionContainers,
  withSomeoneElsesSession,
  processStart,
  sessionLabels,
  takeSessionTurns,
} from '../support/sessions.ts';
import { attackAppliance } from '../support/attack-appliance.ts';
import { plantedFault } from '../support/planted-fault.ts';
import { EXIT } from '../../launcher/exit-codes.ts';

const why = rootlessUnavailable();
if (why) console.warn(`SKIPPING real appliance sessions: ${why}`);

describe.skipIf(why !== null)('selftest appliance, rootless: a hostile app, and the appliance going away', () => {
  takeSessionTurns();
  const { start, noLeftovers } = rootlessRuns();
  // Another session runs beside these tests all along; none of them may count it.
  withSomeoneElsesSession(rootless);

  it('an endless answer is cut off at the cap; the session goes on, the launcher stays small, and wipes', async () => {
    const manifest = attackAppliance('endless', {
      cgi: { endless: "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec yes 'an answer that never ends'" },
    });
    const run = start(['--hold', '--appliance', manifest]);
    await run.next('ready', 120_000);
    run.send({ op: 'http', method: 'GET', path: '/cgi-bin/endless' });
    expect((await run.next('refused')).message).toBe("the app's answer is larger than 8 MiB, so it was cut off");
    run.send({ op: 'http', method: 'GET', path: '/health' });
    expect(await run.next('answer')).toMatchObject({ status: 200, body: 'ok\n' });
    const peakKiB = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${launcherPid(run)}/status`, 'utf8'))![1]);
    expect(peakKiB).toBeLessThan(256 * 1024);
    run.child.stdin!.end();
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(run.stderr.join('')).toBe('');
    expect(await noLeftovers(run)).toEqual([]);
  }, 180_000);

  it('the http command refuses a request line with CR, LF, spaces or an unknown method, in one line', async () => {
    const run = start(['--hold']);
    await run.next('ready');
    for (const [c, why] of [
      [
        { path: '/health\r\nX-Injected: 1' },
        /^the HTTP path must start with "\/" and have no spaces or control characters \(got "\/health\\r\\nX-Injected: 1"\)$/,
      ],
      [{ path: '/health HTTP/1.1\nX: 1' }, /HTTP path/],
      [{ path: 'health' }, /HTTP path/],
      [{ method: 'DELETE', path: '/health' }, /^the HTTP method must be GET or POST \(got "DELETE"\)$/],
      [{ method: 'GET /x HTTP/1.0\r\n', path: '/health' }, /HTTP method/],
    ] as const) {
      run.send({ op: 'http', method: 'GET', ...c });
      expect((await run.next('refused')).message).toMatch(why);
    }
    run.send({ op: 'http', method: 'GET', path: '/health' });
    expect(await run.next('answer')).toMatchObject({ status: 200 });
    expect(run.events.filter((e) => e.type === 'answer')).toHaveLength(1);
    run.child.stdin!.end();
    expect(await run.exit).toBe(EXIT.ok);
  });

  /** The `podman run` the launcher started: its child. */
  const enginePid = (launcher: number) =>
    Number(
      spawnSync('ps', ['-o', 'pid=', '--ppid', String(launcher)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')[0],
    );
  const faults: [string, (launcher: number, container: string) => void][] = [
    [
      'the podman run process is killed',
      (launcher) => {
        process.kill(enginePid(launcher), 'SIGKILL');
      },
    ],
    [
      "the container's conmon is killed",
      (_, container) => {
        process.kill(Number(podmanAsUser(['inspect', '--format', '{{.State.ConmonPid}}', container]).out.trim()), 'SIGKILL');
      },
    ],
    [
      'podman kill stops the container',
      (_, container) => {
        podmanAsUser(['kill', container]);
      },
    ],
  ];
  it.each(faults)('%s during a held session: a result event with the failure, everything wiped, exit 5', async (_, fault) => {
    const run = start(['--hold']);
    await run.next('ready');
    fault(launcherPid(run), sessionContainers(rootless, launcherPid(run))[0]!);
    const error = await run.next('result', 30_000);
    expect(error).toMatchObject({ reason: 'stopped', exitCode: EXIT.bootFailed });
    expect(error.message).toBe('the appliance stopped unexpectedly');
    expect(error.detail).toMatch(/^(podman ended with|the appliance closed the channel|its container monitor ended)/);
    expect(run.events.some((e) => e.type === 'wiped')).toBe(true);
    expect(await run.exit).toBe(EXIT.bootFailed);
    expect(await noLeftovers(run)).toEqual([]);
  });

  it('the appliance going away while it boots is that failure (exit 5), not a health timeout', async () => {
    const run = start(['--appliance', attackAppliance('unhealthy', { healthy: false })]);
    const deadline = Date.now() + 60_000;
    while (!run.events.some((e) => e.stage === 'waiting for the app') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    process.kill(enginePid(launcherPid(run)), 'SIGKILL');
    expect(await run.next('result')).toMatchObject({
      reason: 'stopped',
      exitCode: EXIT.bootFailed,
      message: 'the appliance stopped unexpectedly',
    });
    expect(await run.exit).toBe(EXIT.bootFailed);
    expect(await noLeftovers(run)).toEqual([]);
  });

  it('a leftover whose launcher pid now belongs to another process is reaped; one whose launcher still runs is kept', async () => {
    const other = spawn('sleep', ['600']); // alive, and no launcher: what a reused pid looks like
    try {
      const started = processStart(other.pid!);
      const leftover = (name: string, start: string) =>
        expect(
          podmanAsUser([
            'run',
            '-d',
            '--pull=never',
            '--network=none',
            '--name',
            name,
            ...sessionLabels('crashed', other.pid!, start),
            '--entrypoint',
            '/bin/busybox',
            'localhost/ai-way-selftest:0.1.0',
            'sleep',
            '600',
          ]).code,
        ).toBe(0);
      leftover('ai-way-pid-reused', String(Number(started) + 1));
      leftover('ai-way-launcher-alive', started);
      const run = start([]);
      expect((await run.next('warning')).message).toMatch(/removed \d+ session/);
      await run.next('wiped');
      expect(await run.exit).toBe(EXIT.ok);
      const exists = (name: string) => podmanAsUser(['container', 'exists', name]).code === 0;
      expect([exists('ai-way-pid-reused'), exists('ai-way-launcher-alive')]).toEqual([false, true]);
    } finally {
      other.kill();
      podmanAsUser(['rm', '--force', '--time', '0', '--ignore', 'ai-way-pid-reused', 'ai-way-launcher-alive']);
    }
  });

  it.each(['exception', 'rejection'] as const)(
    'an uncaught %s while a session runs wipes it and ends in one line, exit 1',
    async (kind) => {
      const fault = plantedFault(kind, '"type":"ready"');
      const run = start(['--hold'], ['--require', fault]);
      await run.next('ready');
      await run.next('wiped');
      expect(await run.exit).toBe(EXIT.internal);
      expect(run.stderr.join('')).toBe('ai-way: unexpected error: planted fault (run again with --debug for details)\n');
      expect(await noLeftovers(run)).toEqual([]);
    },
  );

  it('shows what the app sends as visible text in human output, and exactly in JSON', async () => {
    // An answer that would retitle the window, clear the screen, write the clipboard and reverse the text.
    const hostile = '\\033]0;owned\\007\\033[2J\\033]52;c;b3duZWQ=\\007\\r\\302\\233\\342\\200\\256';
    const manifest = attackAppliance('noisy', {
      cgi: { ask: `printf 'Content-Type: text/plain\\r\\n\\r\\n'\nprintf 'bye ${hostile} done\\n'` },
    });
    const human = aiWayAsUser(['run', '--headless', '--appliance', manifest]);
    let [out, err] = ['', ''];
    human.stdout!.on('data', (b) => {
      out += String(b);
    });
    human.stderr!.on('data', (b) => {
      err += String(b);
    });
    expect(await new Promise((res) => human.on('close', res))).toBe(EXIT.smokeFailed);
    expect(out).toContain('got HTTP 200: bye \\e]0;owned\\x07\\e[2J\\e]52;c;b3duZWQ=\\x07\\r\\x9b\\u202e done\\n (');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    // The failure: one line on stderr only, the app's answer kept in the log.
    const line = new RegExp(
      '^ai-way: the app inside failed its smoke check; the app inside answered wrongly; ' +
        'share the log with whoever made the appliance \\(details in (/.+/\\.cache/ai-way/last-error\\.log)\\)\\n$',
    );
    expect(err).toMatch(line);
    expect(out).not.toContain('failed its smoke check');
    expect(readFileSync(line.exec(err)![1]!, 'utf8')).toContain('bye \x1b]0;owned');

    const run = start(['--appliance', manifest]);
    expect((await run.next('smoke')).detail).toBe(
      'expected HTTP 200 containing "hello", got HTTP 200: bye \x1b]0;owned\x07\x1b[2J\x1b]52;c;b3duZWQ=\x07\r\x9b\u202e done\n',
    );
    expect(await run.next('result')).toMatchObject({
      reason: 'smoke',
      exitCode: EXIT.smokeFailed,
      message: 'the app inside failed its smoke check',
    });
    expect(await run.exit).toBe(EXIT.smokeFailed);
    expect(run.stderr.join('')).toMatch(/^ai-way: the app inside failed its smoke check; [^\n]*\n$/);
  }, 120_000);
});
