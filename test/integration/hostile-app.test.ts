// A hostile app inside a real appliance (rootless, and rootful when root), attacking what the
// isolation proof and the wipe rest on: the agent, the channel, the host's resources. Each attack
// is test/support/attack/attack.c, run as the app: at boot, or as its CGI through `--hold --json`.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeInstall, rootlessUnavailable } from '../support/rootless.ts';
import {
  endRuns,
  launcherPid,
  leftoversOf,
  rootful,
  rootless,
  startRun,
  takeSessionTurns,
  type Run,
  type Runner,
} from '../support/sessions.ts';
import { attackAppliance, attackProgramUnavailable } from '../support/attack-appliance.ts';
import { EXIT } from '../../launcher/exit-codes.ts';

const why = rootlessUnavailable() ?? attackProgramUnavailable();
if (why) console.warn(`SKIPPING hostile-app sessions: ${why}`);
const runners = [rootless, ...(process.getuid?.() === 0 ? [rootful] : [])];

const runs: Run[] = [];
takeSessionTurns();
afterAll(() => removeInstall());
afterEach(() => endRuns(runs));

const appliance = (name: string, boot: string[] = []) => attackAppliance(name, { program: true, boot });

async function held(runner: Runner, manifest: string): Promise<Run> {
  const run = startRun(runner, ['--appliance', manifest, '--hold']);
  runs.push(run);
  await run.next('ready');
  return run;
}

/** Runs one attack as the app's CGI and returns what it achieved. */
async function attack(run: Run, what: string): Promise<any> {
  run.send({ op: 'http', method: 'GET', path: `/cgi-bin/attack?${what}` });
  const answer = await run.next('answer');
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body);
}

/**
 * The events without the text of the app's answers: what the app answers is its own to say (a smoke
 * event carries it, and the forger answers with its frames), but nothing else may hold any of it.
 */
const beyondItsAnswers = (events: any[]) => JSON.stringify(events.map((e) => (e.type === 'smoke' ? { ...e, answer: '' } : e)));

async function quit(run: Run): Promise<void> {
  run.child.stdin!.end();
  await run.next('wiped');
  expect(await run.exit).toBe(EXIT.ok);
}

describe.skipIf(why !== null).each(runners)('a hostile app, $name', (runner) => {
  it('cannot forge the proof: frames it writes at every stdout it can open never reach the launcher', async () => {
    const run = startRun(runner, ['--appliance', appliance('forger', ['forge']), '--hold']);
    runs.push(run);
    const verified = await run.next('verified');
    expect(verified.proven).toBe(true);
    const facts = Object.fromEntries(verified.facts.map((f: any) => [f.id, f]));
    expect(facts['user-namespace'].detail).toMatch(/^the app's user 1000 is id \d+ outside its user namespace/);
    expect(facts['apart-from-agent'].ok).toBe(true);
    expect(beyondItsAnswers(run.events)).not.toMatch(/31337|forged/);
    await run.next('ready');
    await new Promise((r) => setTimeout(r, 3000)); // the forger keeps trying for 3 s
    expect(beyondItsAnswers(run.events)).not.toMatch(/31337|forged/);
    await quit(run);
  });

  it('cannot see, read, write to or trace the agent', async () => {
    const run = await held(runner, appliance('reacher'));
    const r = await attack(run, 'reach');
    expect(r.pid1).toEqual({ readEnviron: 'EACCES', openStdout: expect.not.stringMatching(/^done$/), ptraceAttach: 'EPERM' });
    expect(r.visible.every((pid: number) => pid < 64)).toBe(true); // its own namespace's numbers, not the host's
    await quit(run);
  });

  it('can make neither a user namespace (nor mount inside one) nor an AF_VSOCK socket', async () => {
    const run = await held(runner, appliance('escaper'));
    expect(await attack(run, 'userns')).toEqual({ unshareUser: 'EPERM', mountInside: 'not tried' });
    expect(await attack(run, 'vsock')).toEqual({ vsock: 'EAFNOSUPPORT' });
    await quit(run);
  });

  it("cannot hold more shared memory than /dev/shm's size, and memory without a cgroup is said to be not enforced", async () => {
    const run = await held(runner, appliance('hoarder'));
    const memory = run.events.find((e) => e.type === 'verified').facts.find((f: any) => f.id === 'memory-limit');
    if (runner.name === 'rootless')
      expect(memory).toMatchObject({ ok: true, warning: true, detail: expect.stringMatching(/^memory: not enforced/) });
    else expect(memory).toEqual({ id: 'memory-limit', ok: true, detail: 'memory: 134217728 bytes for the whole appliance (cgroup)' });
    const r = await attack(run, 'shm&200');
    expect(r.stop).toBe('ENOSPC');
    expect(r.wroteBytes).toBeLessThanOrEqual(32 * 1048576);
    await quit(run);
  });

  it('cannot delay the wipe by stopping, tracing or filling all it can: a SIGKILLed launcher leaves nothing within 5 s', async () => {
    const run = await held(runner, appliance('freezer', ['freeze']));
    await new Promise((r) => setTimeout(r, 1000)); // let it work
    const pid = launcherPid(run);
    process.kill(pid, 'SIGKILL');
    expect(await leftoversOf(runner, pid, 5000)).toEqual([]);
  });
});

describe.skipIf(why !== null)('hostile sessions side by side (rootless: each has user ids of its own)', () => {
  it("one session's fork bomb neither breaks another's answers nor stops new sessions", async () => {
    const bomber = await held(rootless, appliance('bomber'));
    const bomb = await attack(bomber, 'forkbomb');
    expect(bomb.stop).toBe('EAGAIN');
    expect(bomb.forked).toBeLessThan(64);
    const next = startRun(rootless, []);
    runs.push(next);
    expect((await next.next('verified')).proven).toBe(true);
    expect((await next.next('smoke')).ok).toBe(true);
    await next.next('wiped');
    expect(await next.exit).toBe(EXIT.ok);
    await quit(bomber);
  });
});
