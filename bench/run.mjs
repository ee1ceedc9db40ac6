// On-demand benchmarks (`npm run bench`): each prints the median of several runs and the ratio
// against a reference measured in the same run, and appends a line to bench/results.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const AI_WAY = [process.execPath, path.join(ROOT, 'build', 'ai-way.mjs')];
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function available(cmd) {
  return spawnSync(cmd[0], [...cmd.slice(1)], { stdio: 'ignore' }).error === undefined;
}

/** Median wall time in ms over RUNS runs, after one warm-up; the two commands alternate. */
function timePair(a, b) {
  const ta = [];
  const tb = [];
  for (const cmd of [a, b]) spawnSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
  for (let i = 0; i < RUNS; i++) {
    for (const [cmd, out] of [[a, ta], [b, tb]]) {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
      if (r.error) throw r.error;
      out.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return [median(ta), median(tb)];
}

const benches = [
  { name: 'doctor --json (live)', cmd: [...AI_WAY, 'doctor', '--json'], ref: ['podman', 'info', '--format', 'json'], refName: 'podman info', target: 'median <= 300 ms' },
  { name: '--version', cmd: [...AI_WAY, '--version'], ref: [process.execPath, '-e', '0'], refName: 'node -e 0', target: 'ratio <= 1.5 (single executable, later)' },
];

const results = path.join(ROOT, 'bench', 'results.md');
if (!existsSync(results)) writeFileSync(results, '# Benchmark results\n\n| date | machine | benchmark | median ms | reference | reference ms | ratio | target |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n');
const machine = `${os.cpus()[0]?.model.trim() ?? '?'} x${os.cpus().length}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);

for (const b of benches) {
  if (!available(b.ref)) { console.log(`${b.name}: skipped (${b.refName} is not installed)`); continue; }
  const [ms, refMs] = timePair(b.cmd, b.ref);
  const ratio = ms / refMs;
  console.log(`${b.name}: ${ms.toFixed(0)} ms median; ${b.refName}: ${refMs.toFixed(0)} ms; ratio ${ratio.toFixed(2)} (target: ${b.target})`);
  appendFileSync(results, `| ${date} | ${machine} | ${b.name} | ${ms.toFixed(0)} | ${b.refName} | ${refMs.toFixed(0)} | ${ratio.toFixed(2)} | ${b.target} |\n`);
}
