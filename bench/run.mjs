// On-demand benchmarks (`npm run bench`): each prints the median of several runs and the ratio
// against a reference measured in the same run, and appends a line to bench/results.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const AI_WAY = [process.execPath, path.join(ROOT, 'build', 'ai-way.mjs')];
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// BENCH_ONLY=ai-way,session runs only those groups: commands, session, guest-boot, vm-session, ai-way.
const ONLY = process.env.BENCH_ONLY?.split(',');
const want = (group) => !ONLY || ONLY.includes(group);

function available(cmd) {
  return spawnSync(cmd[0], [...cmd.slice(1)], { stdio: 'ignore' }).error === undefined;
}

/** Median wall time in ms over RUNS runs, after one warm-up; the two commands alternate. */
function timePair(a, b) {
  const ta = [];
  const tb = [];
  for (const cmd of [a, b]) spawnSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
  for (let i = 0; i < RUNS; i++) {
    for (const [cmd, out] of [
      [a, ta],
      [b, tb],
    ]) {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
      if (r.error) throw r.error;
      out.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return [median(ta), median(tb)];
}

const SEA = path.join(ROOT, 'dist', 'ai-way-linux-x64');
const benches = [
  ...(existsSync(SEA)
    ? [
        {
          name: 'single executable --version',
          cmd: [SEA, '--version'],
          ref: [process.execPath, '-e', '0'],
          refName: 'node -e 0',
          target: 'ratio <= 1.5',
        },
      ]
    : []),
  {
    name: 'doctor --json (live)',
    cmd: [...AI_WAY, 'doctor', '--json'],
    ref: ['podman', 'info', '--format', 'json'],
    refName: 'podman info',
    target: 'median <= 300 ms',
  },
  {
    name: '--version (from the checkout)',
    cmd: [...AI_WAY, '--version'],
    ref: [process.execPath, '-e', '0'],
    refName: 'node -e 0',
    target: 'ratio <= 1.5',
  },
];

/** A TypeScript bench (bench/NAME.ts), bundled into build/ and imported. */
async function bundled(name) {
  const { build } = await import('esbuild');
  const out = path.join(ROOT, 'build', `bench-${name}.mjs`);
  await build({
    entryPoints: [path.join(ROOT, 'bench', `${name}.ts`)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return import(out);
}

const results = path.join(ROOT, 'bench', 'results.md');
if (!existsSync(results))
  writeFileSync(
    results,
    [
      '# Benchmark results',
      '',
      '| date | machine | benchmark | median ms | reference | reference ms | ratio | target |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      '',
    ].join('\n'),
  );
const processors = `${os.cpus()[0]?.model.trim() ?? '?'} x${os.cpus().length}`;
const machine = `${processors}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);

const record = (name, ms, refName, refMs, target, unit = 'ms') => {
  const ratio = refMs ? ms / refMs : NaN;
  const reference = refName ? `; ${refName}: ${refMs.toFixed(0)} ${unit}; ratio ${ratio.toFixed(2)}` : '';
  console.log(`${name}: ${ms.toFixed(0)} ${unit}${unit === 'ms' ? ' median' : ''}${reference} (target: ${target})`);
  const row = [
    date,
    machine,
    name,
    ms.toFixed(0),
    refName || '-',
    refMs ? refMs.toFixed(0) : '-',
    refName ? ratio.toFixed(2) : '-',
    target,
  ];
  appendFileSync(results, `| ${row.join(' | ')} |\n`);
};

for (const b of want('commands') ? benches : []) {
  if (!available(b.ref)) {
    console.log(`${b.name}: skipped (${b.refName} is not installed)`);
    continue;
  }
  const [ms, refMs] = timePair(b.cmd, b.ref);
  record(b.name, ms, b.refName, refMs, b.target);
}

// Sessions: bundle the TypeScript bench, then run it (needs Podman and the built selftest image).
if (want('session') && available(['podman', '--version'])) {
  const { benchSession, heldSession } = await bundled('session');
  const s = await benchSession(ROOT, Math.max(3, Math.floor(RUNS / 3)));
  record('run --headless: time to ready', s.readyMs, 'bare podman run, same flags, same ready signal', s.bareMs, 'ratio <= 1.10');
  record('wipe (shutdown to container gone)', s.wipeMs, '', 0, '<= 500 ms');

  // A held session importing a file: the launcher's peak memory, and the import against cp into tmpfs.
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-bench-'));
  const file = path.join(dir, 'import.bin');
  writeFileSync(file, Buffer.alloc(48 * 1024 * 1024, 7));
  const launcher = existsSync(SEA) ? [SEA] : AI_WAY;
  const held = await heldSession(launcher, file);
  record(
    `peak RSS of the launcher, headless session with a 48 MiB import (${existsSync(SEA) ? 'single executable' : 'node'})`,
    held.peakRssBytes / 1048576,
    '',
    0,
    '<= 80 MB',
    'MiB',
  );
  const t = process.hrtime.bigint();
  spawnSync('cp', [file, '/dev/shm/ai-way-bench-copy']);
  const cpMs = Number(process.hrtime.bigint() - t) / 1e6;
  rmSync('/dev/shm/ai-way-bench-copy', { force: true });
  rmSync(dir, { recursive: true, force: true });
  record('file import, 48 MiB', held.importMs, 'cp into tmpfs', cpMs, 'informational');
  if (existsSync(SEA)) {
    const r = await benchSession(ROOT, Math.max(3, Math.floor(RUNS / 3)), SEA);
    record(
      'single executable run --headless: time to ready',
      r.readyMs,
      'bare podman run, same flags, same ready signal',
      r.bareMs,
      'ratio <= 1.10',
    );
  }
}

// Guests: each vm image the build carries, booted under QEMU (TCG), against a trivial boot of the same kernel.
if (want('guest-boot')) {
  const { benchGuestBoot } = await bundled('guest-boot');
  for (const g of await benchGuestBoot(ROOT, Math.max(3, Math.floor(RUNS / 3)))) {
    const trivial = `same kernel, trivial initramfs, to power-off (TCG)`;
    record(`guest ${g.arch}: QEMU start to the agent's hello (TCG)`, g.helloMs, trivial, g.trivialMs, 'informational');
    record(`guest ${g.arch}: QEMU start to the app's health answer (TCG)`, g.readyMs, trivial, g.trivialMs, 'informational');
    record(`guest ${g.arch}: channel end to QEMU exit`, g.powerOffMs, '', 0, 'informational');
  }
}

// QEMU sessions: the launcher to ready against bare QEMU with the same command line, the import
// through the channel, the wipe, and the guest's memory, for each architecture with a guest.
if (want('vm-session')) {
  const { benchVmSessions } = await bundled('vm-session');
  for (const v of await benchVmSessions(ROOT, Math.max(3, Math.floor(RUNS / 3)))) {
    const target = v.arch === 'x86_64' ? '<= 3000 ms, ratio <= 1.2' : '<= 8000 ms, ratio <= 1.2';
    record(
      `run --platform qemu --arch ${v.arch} (TCG): time to ready (hello, proof, health)`,
      v.launcherMs,
      'bare QEMU, same command line, same signal',
      v.bareMs,
      target,
    );
    record(`QEMU ${v.arch} (TCG): file import through the channel, 48 MiB`, v.importMiBps, '', 0, '>= 20 MB/s', 'MiB/s');
    record(`QEMU ${v.arch}: wipe (shutdown to QEMU gone)`, v.wipeMs, '', 0, '<= 1000 ms');
    record(`QEMU ${v.arch}: QEMU's resident memory at ready (guest given ${v.memoryMiB} MiB)`, v.rssMiB, '', 0, 'informational', 'MiB');
  }
}

// The ai-way appliance with the bench model (rootful Podman, the built ai-way image) against the app's
// own bundle run natively on the host with the same model, threads and question.
const AIWAY_IMAGE = path.join(ROOT, 'build', 'images', `ai-way-cpu-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.oci.tar`);
if (want('ai-way') && (process.getuid?.() !== 0 || !existsSync(AIWAY_IMAGE))) {
  console.log('ai-way appliance: skipped (needs root for rootful Podman and the built ai-way image)');
} else if (want('ai-way')) {
  const { benchAiWay } = await bundled('ai-way');
  const a = await benchAiWay(ROOT, Math.max(3, Math.floor(RUNS / 5)));
  const same = `natively, app's bundle on the host, ${a.threads} threads`;
  record(
    'ai-way: tokens/s, bench model (generation after the first token)',
    a.inside.tokensPerSecond,
    same,
    a.native.tokensPerSecond,
    'ratio >= 0.95',
    'tokens/s',
  );
  const parts = (p) =>
    Object.entries(p)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ');
  record(
    `ai-way: run to the first answer token (${parts(a.inside.firstTokenParts)})`,
    a.inside.firstTokenMs,
    `native app start to first token (${parts(a.native.firstTokenParts)})`,
    a.native.firstTokenMs,
    'informational',
  );
  record("ai-way: the app's peak RSS, bench model, after indexing", a.inside.peakRssMiB, same, a.native.peakRssMiB, 'informational', 'MiB');
  record(
    `ai-way: indexing, ${a.corpusMB.toFixed(1)} MB of text (upload included)`,
    a.inside.indexMBps,
    `${same}, files copied in`,
    a.native.indexMBps,
    'informational',
    'MB/s',
  );
}
