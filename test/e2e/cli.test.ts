// The built CLI (build/ai-way.mjs, made by `npm run build`), run as a user runs it.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { EXIT } from '../../launcher/exit-codes.ts';
import { takeSessionTurns } from '../support/sessions.ts';
import { aiWayAsUser, removeInstall, rootlessUnavailable } from '../support/rootless.ts';
import { COMMANDS } from '../../launcher/cli/commands.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'ai-way.mjs');

function aiWay(...args: string[]) {
  return aiWayWith({}, ...args);
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-cli-'));

/** Runs in a folder of its own, which is returned: nothing may be written there unasked. */
function aiWayWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const cwd = tmp();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

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
    // selftest ships Alpine only: asked for Fedora, the plan says so and takes what there is, as run would.
    expect(JSON.parse(aiWay('plan', '--json', '--bundle', dir, '--image', 'fedora', '--gpu', 'none').out)).toMatchObject({
      image: { flavor: 'alpine', rule: 'override-fallback' },
      gpu: { mode: 'none' },
      warnings: ['selftest has no fedora image for x86_64; its alpine image is used'],
    });
  });

  it.each([
    [['doctor', '--bogus'], EXIT.usage, /unknown option --bogus for "ai-way doctor"; it takes --json, --bundle DIR/],
    [['plan', '--image', 'debian'], EXIT.usage, /--image must be one of auto, fedora, alpine/],
    [['frobnicate'], EXIT.usage, /unknown command "frobnicate"/],
    // Each command takes its own options, and a near miss is answered with the right word.
    [['doctr'], EXIT.usage, /^ai-way: unknown command "doctr"; did you mean "ai-way doctor"\?/],
    [['doctor', '--bundel', 'x'], EXIT.usage, /; did you mean --bundle\?\n$/],
    [['plan', '--hold'], EXIT.usage, /"ai-way plan" takes no --hold; it takes --json/],
    [['doctor', '--appliance', 'x'], EXIT.usage, /"ai-way doctor" takes no --appliance/],
    [['plan', '--appliance', 'nonexist'], EXIT.badInput, /^ai-way: no appliance is named "nonexist"; /],
    [['export', 'boltfile', '--appliance', '/nonexistent/appliance.toml'], EXIT.badInput, /\/nonexistent\/appliance\.toml:1:1: no such/],
    // The manifest's durations: --timeout 10s is taken, and the missing manifest is what fails.
    [['run', '--headless', '--timeout', '10s', '--appliance', '/nonexistent/a.toml'], EXIT.badInput, /\/a\.toml:1:1: no such file/],
    [['doctor', '--bundle', '/nonexistent/bundle'], EXIT.badInput, /no bundle at \/nonexistent\/bundle/],
    [['run', '--timeout', 'soon'], EXIT.usage, /--timeout must be a number of seconds, or a number and ms, s or m \(like 10s, 1\.5m/],
    // Past the longest a timer can wait (2^31 - 1 ms): Node would warn and fire at once.
    [['run', '--timeout', '2147484'], EXIT.usage, /--timeout must be above 0 and at most 2147483 s, about 24 days \(got "2147484"\)/],
    [['run', '--timeout', 'Infinity'], EXIT.usage, /--timeout must be a number of seconds, or /],
    [['bundle', 'collect', ''], EXIT.usage, /usage: ai-way bundle collect DIR/],
    // mkdir answers ENOENT under /proc: a recursive mkdir retried that forever.
    [['bundle', 'collect', '/proc/nope'], EXIT.badInput, /the bundle to \/proc\/nope \(ENOENT\); choose a new folder you can write to/],
    [['bundle', 'collect', '/sys/nope/deeper'], EXIT.badInput, /cannot write the bundle to \/sys\/nope\/deeper \(E[A-Z]+\)/],
    [['bundle', 'collect', '/sys/nope'], EXIT.badInput, /cannot write the bundle to \/sys\/nope \(E[A-Z]+\)/],
    [['bundle', 'collect', '/etc/passwd/nope'], EXIT.badInput, /cannot write the bundle to \/etc\/passwd\/nope \(ENOTDIR\)/],
    [['doctor', '--bundle', '/dev/zero'], EXIT.badInput, /\/dev\/zero is a character device, not a regular file/],
  ])('%j fails with one clear line and exit code %i', (args, code, message) => {
    const r = aiWay(...args);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(readdirSync(r.cwd)).toEqual([]);
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

  afterAll(removeInstall);
  it.skipIf(rootlessUnavailable() !== null)('bundle collect into a folder this user cannot write: one line, exit 3', async () => {
    const dir = tmp();
    chmodSync(dir, 0o555);
    const child = aiWayAsUser(['bundle', 'collect', path.join(dir, 'bundle')]);
    let err = '';
    child.stderr!.on('data', (b) => {
      err += String(b);
    });
    expect(await new Promise((res) => child.on('close', res))).toBe(EXIT.badInput);
    expect(err).toBe(`ai-way: cannot write the bundle to ${path.join(dir, 'bundle')} (EACCES); choose a new folder you can write to\n`);
  });

  it('help: each command has its page, the same from "help CMD" and "CMD --help"; --help lists them all', () => {
    const overview = aiWay('--help');
    expect(overview).toMatchObject({ code: 0, err: '' });
    expect(aiWay('help').out).toBe(overview.out);
    for (const c of COMMANDS) {
      const page = aiWay('help', ...c.words);
      expect(page).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^Usage: ai-way ${c.words.join(' ')}[ \n]`)) });
      expect(aiWay(...c.words, '--help').out).toBe(page.out);
      expect(overview.out).toContain(`ai-way ${c.words.join(' ')}`);
    }
  });

  it('plan follows the appliance, as run does: its resources, its image, and the default appliance without --appliance', () => {
    const file = path.join(tmp(), 'appliance.toml');
    writeFileSync(
      file,
      readFileSync(path.join(ROOT, 'images/selftest/appliance.toml'), 'utf8')
        .replace('memory = "128MiB"', 'memory = "256MiB"')
        .replace('name = "selftest"', 'name = "roomier"'),
    );
    const plan = (...args: string[]) => JSON.parse(aiWay('plan', '--json', ...args).out);
    expect(plan('--appliance', file)).toMatchObject({
      resources: { memBytes: 256 * 1024 ** 2, source: 'manifest' },
      appliance: { name: 'roomier' },
    });
    expect(plan()).toMatchObject({ resources: { memBytes: 128 * 1024 ** 2, source: 'manifest' }, appliance: { name: 'selftest' } });
    expect(aiWay('plan', '--appliance', file).out).toMatch(/^ {2}Appliance +roomier 0\.1\.0\n[\s\S]*Resources +256 MiB memory/);
    // A plan that cannot start is shown, then said: one line on stderr, exit 4, as run would end.
    writeFileSync(file, readFileSync(file, 'utf8').replace('wish = "none"', 'wish = "required"'));
    const r = aiWay('plan', '--appliance', file, '--gpu', 'none');
    expect(r).toMatchObject({ code: EXIT.prerequisiteMissing, out: expect.stringMatching(/Resources +256 MiB memory/) });
    expect(r.err).toMatch(
      /^ai-way: roomier cannot start here: roomier needs a GPU, and turned off by the user \(--gpu none\); leave out --gpu none\n$/,
    );
  });
});

describe('ai-way with no command (the main job)', () => {
  takeSessionTurns();
  const podman = spawnSync('podman', ['--version']).error === undefined;

  it.skipIf(!podman)("a run that fails says so in one line on stderr, what to do included; the appliance's words go to the log", () => {
    const cache = tmp();
    const r = aiWayWith({ XDG_CACHE_HOME: cache }, 'run', '--headless', '--timeout', '50ms');
    expect(r.code).toBe(EXIT.healthTimeout);
    const line = new RegExp(
      '^ai-way: the appliance was not ready within 0\\.05 s, so it was erased; ' +
        'give it longer with --timeout \\(for example --timeout 2m\\)( \\(details in (.+)\\))?\\n$',
    );
    expect(r.err).toMatch(line);
    expect(r.out).toMatch(/everything was erased/);
    expect(r.out).not.toMatch(/not ready|✘/);
    // What the appliance had said by then, if anything, is in the log, not on the screen.
    const log = line.exec(r.err)![2];
    if (log) expect([log, readFileSync(log, 'utf8')]).toEqual([path.join(cache, 'ai-way', 'last-error.log'), expect.any(String)]);
  });

  it.skipIf(!podman)('runs the selftest appliance end to end and erases it', () => {
    const r = aiWay();
    expect(r.out).toMatch(/isolation proven from inside/);
    expect(r.out).toMatch(/ready in \d/);
    expect(r.out).toMatch(/smoke check: the app answered as expected/);
    expect(r.out).toMatch(/everything was erased in/);
    expect(r.code).toBe(EXIT.ok);
  });

  it("without Podman prints the doctor's fix and exits with the prerequisite code", () => {
    const bin = tmp(); // a PATH with nothing but node on it
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = aiWayWith({ PATH: bin });
    expect(r.code).toBe(EXIT.prerequisiteMissing);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toEqual([
      'ai-way: not a terminal, so running headless',
      'ai-way: Podman is not installed; install Podman, the program that runs the appliance: sudo apt-get install -y podman uidmap',
      '',
    ]);
  });

  it('an appliance that does not exist is bad input, in one line on stderr', () => {
    const r = aiWay('run', '--headless', '--appliance', '/nonexistent/appliance.toml');
    expect(r.code).toBe(EXIT.badInput);
    expect(r.out).toBe('');
    expect(r.err).toBe('ai-way: /nonexistent/appliance.toml:1:1: no such file; check the path of the appliance.toml\n');
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
    expect(event).toMatchObject({ schema: 1, type: 'result', reason: 'manifest', exitCode: EXIT.badInput });
    expect(new Date(event.ts).toISOString()).toBe(event.ts);
    expect(event.durationMs).toBeGreaterThanOrEqual(0);
    expect(event.message.startsWith(file)).toBe(true);
    expect(`${event.message}; ${event.fix}`).toMatch(message);
    // The result on stdout, and the failure in one line on stderr.
    expect(r.err).toBe(`ai-way: ${event.message}; ${event.fix}\n`);
  });
});

describe('hostile files: refused at once, in one line, exit 3, with bounded memory', () => {
  const dir = tmp();
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const huge = path.join(dir, 'huge.toml');
  writeFileSync(huge, '');
  truncateSync(huge, 8 * 1024 ** 3); // sparse: nothing on disk
  // 64 KiB of one dotted key: a locator that copied the path at every part needed 2 GB.
  const dotted = path.join(dir, 'dotted.toml');
  writeFileSync(dotted, `${Array(32_000).fill('a').join('.')} = 1\n`);
  const lastEvent = (r: ReturnType<typeof aiWay>) => JSON.parse(r.out.trim().split('\n').at(-1)!);

  it.each([
    [fifo, 'this is a named pipe (FIFO), not a regular file'],
    ['/dev/zero', 'this is a character device, not a regular file'],
    [huge, 'the file is larger than the 64 KiB a manifest may have'],
    [dotted, "unknown key 'a'"],
  ])('manifest %s', (file, problem) => {
    const r = aiWayWith({ NODE_OPTIONS: '--max-old-space-size=64' }, 'run', '--json', '--appliance', file);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(lastEvent(r)).toMatchObject({ type: 'result', reason: 'manifest', exitCode: EXIT.badInput });
    expect(lastEvent(r).message).toBe(`${file}:1:1: ${problem}`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  const podman = spawnSync('podman', ['--version']).error === undefined;
  const bomb = path.join(dir, 'bomb.tar.gz');
  writeFileSync(bomb, gzipSync(new Uint8Array(64 * 1024 ** 2)));
  const naming = (image: string) => {
    const file = path.join(tmp(), 'appliance.toml');
    writeFileSync(
      file,
      readFileSync(path.join(ROOT, 'images/selftest/appliance.toml'), 'utf8').replace(/^x86_64 = .*$/m, `x86_64 = "oci-archive:${image}"`),
    );
    return file;
  };

  it.skipIf(!podman || process.arch !== 'x64').each([
    [fifo, 'it is a named pipe (FIFO), not a regular file'],
    ['/dev/zero', 'it is a character device, not a regular file'],
    [bomb, 'it is compressed (gzip): give the uncompressed OCI archive (.tar), whose layers are compressed already'],
  ])('image %s', (image, why) => {
    const r = aiWayWith({ NODE_OPTIONS: '--max-old-space-size=64' }, 'run', '--json', '--appliance', naming(image));
    expect(r.code).toBe(EXIT.badInput);
    expect(lastEvent(r)).toMatchObject({
      type: 'result',
      reason: 'image-refused',
      exitCode: EXIT.badInput,
      message: `the appliance image ${image} cannot be used: ${why}`,
    });
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
  it("export boltfile writes the appliance with its isolation in Bolt's keys", async () => {
    const r = aiWay('export', 'boltfile');
    expect(r.code).toBe(EXIT.ok);
    const { parse } = await import('smol-toml');
    const doc = parse(r.out) as any;
    expect(typeof doc.project).toBe('string');
    expect(doc.services[doc.project]).toMatchObject({
      network_mode: 'none',
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges'],
      stdin_open: true,
    });
    expect(doc.services[doc.project].tmpfs[0]).toMatch(/^\/workspace:rw,size=\d+,mode=0700,nodev,nosuid,noexec$/);
  });
  it('run --engine bolt without Bolt: one line, exit 4', () => {
    const r = aiWay('run', '--headless', '--engine', 'bolt');
    expect(r.code).toBe(EXIT.prerequisiteMissing);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'ai-way: selftest cannot start here: Bolt was not found (bolt --version did not answer); install Bolt, or use --engine podman\n',
    );
  });
});
