// limactl as recorded on real machines (fixtures/limactl-session, with SOURCES.md): the start's
// progress and failures read from its log lines, and the stand-in limactl's every line checked to be
// one of these recordings with only the instance's own name, folder and image put in.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fatalOf, limaProblem, logLine, startProgress } from '../../platforms/lima/output.ts';
import { orphanedInstances } from '../../platforms/lima/reap.ts';
import { vmName } from '../../platforms/process-identity.ts';

const FIXTURES = path.join(__dirname, 'fixtures');
const read = (name: string) => readFileSync(path.join(FIXTURES, 'limactl-session', name), 'utf8');
const rows = (name: string) => read(name).split('\n').filter(Boolean);

describe("limactl start's log", () => {
  it('says what a start is doing, in each of logrus formats', () => {
    expect(rows('start-vz-carinata.err').map(startProgress).filter(Boolean)).toEqual([
      'booting the virtual machine',
      'the virtual machine is up',
    ]);
    expect(rows('start-qemu-issue236.err').map(startProgress).filter(Boolean)).toEqual([
      'booting the virtual machine',
      'waiting for the virtual machine (essential step 1 of 4)',
      'waiting for the virtual machine (essential step 1 of 4)',
      'waiting for the virtual machine (essential step 2 of 4)',
    ]);
    expect(startProgress(rows('create-vz-issue2855.err')[2]!)).toBe("getting Lima's Alpine image (once; Lima keeps it)");
    expect(logLine(rows('ha-stderr-vz-unsupported-issue1182.log')[0]!)).toEqual({
      level: 'info',
      message: 'Starting VZ (hint: to watch the boot progress, see "/Users/me/.lima/example-com/serial.log")',
    });
    expect(
      logLine('time="2024-01-03T13:11:28-08:00" level=info msg="[hostagent] Waiting for the essential requirement 1 of 4: \\"ssh\\""'),
    ).toEqual({
      level: 'info',
      message: '[hostagent] Waiting for the essential requirement 1 of 4: "ssh"',
    });
  });

  it('gives the fatal line of a failure, and a fix for the ones a person can fix', () => {
    expect(fatalOf(read('create-download-403-issue1969.err'))).toMatch(/expected HTTP status 200, got 403 Forbidden$/);
    expect(fatalOf(read('create-exists-issue1969.err'))).toBe(
      'instance "podman-rootful" already exists ("/Users/chasan/.lima/podman-rootful")',
    );
    for (const vz of ['ha-stderr-vz-unsupported-issue1182.log', 'start-vz-requires-macos13-colima1250.err']) {
      expect(limaProblem('start its virtual machine', 1, read(vz))).toMatchObject({
        message: expect.stringMatching(/^Apple's virtualization cannot start a virtual machine here: /),
        fix: expect.stringContaining('macOS to 13.5'),
      });
    }
    expect(limaProblem('start its virtual machine', 1, read('stop-broken-issue357.err')).message).toMatch(/stuck/);
    expect(limaProblem('create its virtual machine', 1, read('start-missing-issue554.err')).message).toBe(
      'Lima could not create its virtual machine: instance "default" does not exist, run `limactl start default` to create a new instance',
    );
  });
});

describe('limactl list --json and the reaping', () => {
  const gone = { sessionId: 'aaaaaaaaaaaa', launcherPid: 100, launcherStart: '5' };
  const alive = { sessionId: 'bbbbbbbbbbbb', launcherPid: 200, launcherStart: '6' };
  const runs = (pid: number) => pid === alive.launcherPid;

  it('never touches an instance that is not ai-way', () => {
    expect(orphanedInstances(read('list-json-jq-xbar4.out'), runs)).toEqual([]);
    expect(
      orphanedInstances(readFileSync(path.join(FIXTURES, 'limactl-list-json', 'pr308-pretty-multiline-qemu-era.out'), 'utf8'), runs),
    ).toEqual([]);
  });

  it("takes ai-way's instances whose launcher is gone, in the recordings' shape with ai-way's names", () => {
    const listed = read('list-json-jq-xbar4.out')
      .replace('"default"', JSON.stringify(vmName(gone)))
      .concat(read('list-json-jq-xbar4.out').replace('"default"', JSON.stringify(vmName(alive))));
    expect(orphanedInstances(listed, runs)).toEqual([{ name: vmName(gone), status: 'Running', owner: gone }]);
  });
});

describe('the stand-in limactl', () => {
  const recorded = ['limactl-session', 'limactl-version', 'limactl-list'].flatMap((dir) =>
    readdirSync(path.join(FIXTURES, dir))
      .filter((f) => !f.endsWith('.md') && !f.endsWith('.json'))
      .flatMap((f) => readFileSync(path.join(FIXTURES, dir, f), 'utf8').split('\n')),
  );
  const templates = readFileSync(path.join(__dirname, '..', 'support', 'limactl-stand-in.lines'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[1]!);

  it('prints only recorded lines, with the instance put in', () => {
    const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const unmatched = templates.filter((t) => {
      const pattern = new RegExp(
        `^${t
          .split(/\{[A-Z]+\}/)
          .map(literal)
          .join('.*')}\\s*$`,
      );
      return !recorded.some((r) => pattern.test(r));
    });
    expect(unmatched).toEqual([]);
    expect(templates.length).toBeGreaterThan(10);
  });
});
