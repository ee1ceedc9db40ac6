// The built CLI (build/ai-way.mjs, made by `npm run build`), run as a user runs it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT } from '../../launcher/exit-codes.ts';
import { takeSessionTurns } from '../support/sessions.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'ai-way.mjs');

function aiWay(...args: string[]) {
  return aiWayWith({}, ...args);
}

function aiWayWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-cli-'));

describe('ai-way CLI', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(aiWay('--version')).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it('doctor --json describes this machine and exits by its prerequisites', () => {
    const r = aiWay('doctor', '--json');
    const doc = JSON.parse(r.out);
    expect(doc.host).toMatchObject({ platform: 'linux', arch: 'x86_64' });
    expect(doc.image).toMatchObject({ flavor: expect.stringMatching(/alpine|fedora/), reason: expect.any(String) });
    for (const tool of ['podman', 'wsl', 'limactl', 'qemu']) expect(doc.tools[tool]).toHaveProperty('version');
    const missing = doc.prerequisites.some((p: any) => p.required && p.status === 'missing');
    expect(r.code).toBe(missing ? EXIT.prerequisiteMissing : EXIT.ok);
  });

  it('doctor speaks plain words', () => {
    const r = aiWay('doctor');
    expect(r.out).toMatch(/^Linux/);
    expect(r.out).toMatch(/Appliance image: (Alpine|Fedora)/);
    expect(r.out).toMatch(/Everything ai-way needs is in place|fixing before ai-way can start/);
  });

  it('bundle collect writes a folder and an archive that replay to the same diagnosis and the same plan', () => {
    const dir = path.join(tmp(), 'bundle');
    expect(aiWay('bundle', 'collect', dir).code).toBe(0);
    expect(existsSync(path.join(dir, 'host.json'))).toBe(true);
    expect(existsSync(`${dir}.tar.gz`)).toBe(true);
    const live = JSON.parse(aiWay('doctor', '--json').out);
    for (const from of [dir, `${dir}.tar.gz`]) {
      const replayed = JSON.parse(aiWay('doctor', '--json', '--bundle', from).out);
      expect(replayed.source).toEqual({ kind: 'bundle', bundle: from });
      expect(replayed.host).toEqual(live.host);
      expect(replayed.gpus).toEqual(live.gpus);
      expect(replayed.image).toEqual(live.image);
    }
    const plan1 = aiWay('plan', '--json', '--bundle', dir);
    const plan2 = aiWay('plan', '--json', '--bundle', `${dir}.tar.gz`);
    expect(plan1.code).toBe(0);
    expect(plan1.out).toBe(plan2.out);
    expect(JSON.parse(plan1.out)).toMatchObject({ schema: 1, image: { flavor: expect.any(String) }, engine: { name: 'podman' } });
    expect(JSON.parse(aiWay('plan', '--json', '--bundle', dir, '--image', 'fedora', '--gpu', 'none').out))
      .toMatchObject({ image: { flavor: 'fedora', rule: 'override' }, gpu: { mode: 'none' } });
  });

  it.each([
    [['doctor', '--bogus'], EXIT.usage, /Unknown option '--bogus'.*see ai-way --help/],
    [['plan', '--image', 'debian'], EXIT.usage, /--image must be one of auto, fedora, alpine/],
    [['frobnicate'], EXIT.usage, /unknown command "frobnicate"/],
    [['doctor', '--bundle', '/nonexistent/bundle'], EXIT.badInput, /no bundle at \/nonexistent\/bundle/],
    [['run', '--timeout', 'soon'], EXIT.usage, /--timeout must be a number of seconds/],
  ])('%j fails with one clear line and exit code %i', (args, code, message) => {
    const r = aiWay(...args);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a damaged bundle names the file and the problem', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'host.json'), '{"os":"linux","arch":"x64","cpus":"eight"}');
    const r = aiWay('doctor', '--bundle', dir);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toMatch(/host\.json: cpus: /);
  });

  it('refuses to overwrite a folder with files in it', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'precious'), 'x');
    const r = aiWay('bundle', 'collect', dir);
    expect(r.code).toBe(EXIT.badInput);
    expect(readFileSync(path.join(dir, 'precious'), 'utf8')).toBe('x');
  });
});

describe('ai-way with no command (the main job)', () => {
  takeSessionTurns();
  const podman = spawnSync('podman', ['--version']).error === undefined;

  it.skipIf(!podman)('runs the selftest appliance end to end and erases it', () => {
    const r = aiWay();
    expect(r.out).toMatch(/isolation proven from inside/);
    expect(r.out).toMatch(/ready in \d/);
    expect(r.out).toMatch(/smoke check: the app answered as expected/);
    expect(r.out).toMatch(/everything was erased in/);
    expect(r.code).toBe(EXIT.ok);
  });

  it('without Podman prints the doctor\'s fix and exits with the prerequisite code', () => {
    const bin = tmp(); // a PATH with nothing but node on it
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = aiWayWith({ PATH: bin });
    expect(r.code).toBe(EXIT.prerequisiteMissing);
    expect(r.out).toMatch(/Podman is not installed\. Install Podman, the program that runs the appliance:/);
  });

  it('an appliance that does not exist is bad input, in one line', () => {
    const r = aiWay('run', '--appliance', '/nonexistent/appliance.toml');
    expect(r.code).toBe(EXIT.badInput);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });
});

describe('hostile manifests', () => {
  it.each([
    ['name = "x"\nversion = "1.0.0"\n[resources]\nmemroy = "1GiB"\n', /:4:1: unknown key 'memroy' in \[resources\]; .*memory/],
    ['name = "x"\nversion = 1.0.0\n', /:2:\d+: /],
    ['\u0000\u00ff\u00fe garbage', /:1:1: /],
  ])('%j: one line with file:line:column, exit 3', (text, message) => {
    const file = path.join(tmp(), 'appliance.toml');
    writeFileSync(file, text);
    const r = aiWay('run', '--appliance', file, '--json');
    expect(r.code).toBe(EXIT.badInput);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!);
    expect(event).toMatchObject({ type: 'error', code: 'manifest', exitCode: EXIT.badInput });
    expect(event.message.startsWith(file)).toBe(true);
    expect(event.message).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('GPU and Bolt commands', () => {
  it('gpu cdi on a host without a usable GPU: one line, exit 4, nothing written', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-cdi-'));
    const r = aiWay('gpu', 'cdi', '--output', path.join(dir, 'spec.json'));
    expect(r.code).toBe(EXIT.prerequisiteMissing);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('no GPU here can be passed');
    expect(existsSync(path.join(dir, 'spec.json'))).toBe(false);
  });
  it('gpu cdi rejects an unknown format and a stray argument', () => {
    expect(aiWay('gpu', 'cdi', '--format', 'xml').code).toBe(EXIT.usage);
    expect(aiWay('gpu', 'cdi', 'extra').code).toBe(EXIT.usage);
  });
  it('export boltfile writes the appliance with its isolation in Bolt\'s keys', async () => {
    const r = aiWay('export', 'boltfile');
    expect(r.code).toBe(EXIT.ok);
    const { parse } = await import('smol-toml');
    const doc = parse(r.out) as any;
    expect(typeof doc.project).toBe('string');
    expect(doc.services[doc.project]).toMatchObject({ network_mode: 'none', read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges'], stdin_open: true });
    expect(doc.services[doc.project].tmpfs[0]).toMatch(/^\/workspace:rw,size=\d+,mode=0700,nodev,nosuid,noexec$/);
  });
  it('run --engine bolt without Bolt: one line, exit 4', () => {
    const r = aiWay('run', '--headless', '--engine', 'bolt');
    expect(r.code).toBe(EXIT.prerequisiteMissing);
    expect(r.out + r.err).toContain('Bolt was not found');
  });
});
