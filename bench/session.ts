// Session benchmarks, bundled and run by bench/run.mjs: time-to-ready of `ai-way run --headless`
// against a bare `podman run` of the same image with the same flags to the same ready signal (the
// agent's hello, then the app's health answer through the channel), and the wipe time.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { podmanRunArgs } from '../appliance/engines/podman.ts';
import { loadManifest } from '../appliance/manifest.ts';
import { shmFor } from '../appliance/plan.ts';
import { readCarried } from '../platforms/embedded.ts';
import { AgentChannel } from '../launcher/session/channel.ts';
import { httpRequest } from '../launcher/session/http.ts';
import { ensureImage, podmanProfile, spawnEngine } from '../platforms/linux/podman.ts';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bareRun(args: string[], port: number, healthPath: string): Promise<number> {
  const t = performance.now();
  const child = spawnEngine('podman', args);
  const ch = new AgentChannel(child.stdin, child.stdout, () => undefined);
  await ch.expect((m) => m.type === 'hello', 30_000, 'hello');
  for (;;) {
    const a = await httpRequest(ch, port, 'GET', healthPath, '', 5_000).catch(() => null);
    if (a && a.status >= 200 && a.status < 300) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t;
  child.stdin.end();
  await new Promise((r) => child.on('close', r));
  return ms;
}

function aiWayRun(bin: string): Promise<{ readyMs: number; wipeMs: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const argv = bin.endsWith('.mjs') ? [process.execPath, bin] : [bin];
    const child = spawn(argv[0]!, [...argv.slice(1), 'run', '--headless', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let readyMs = NaN;
    let buf = '';
    child.stdout.on('data', (b) => {
      buf += b;
      for (const line of buf.split('\n').slice(0, -1)) {
        const e = JSON.parse(line);
        if (e.type === 'ready') readyMs = performance.now() - t;
        if (e.type === 'wiped') resolve({ readyMs, wipeMs: e.ms });
        if (e.type === 'error') reject(new Error(e.message));
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
  });
}

/** `launcher`: the single executable, or bin/ai-way.mjs (run with this Node). */
export async function benchSession(root: string, runs: number, launcher = path.join(root, 'bin', 'ai-way.mjs')) {
  const manifest = await loadManifest(path.join(root, 'images', 'selftest', 'appliance.toml'), readCarried);
  const source = manifest.images.alpine!.x86_64!;
  const image = await ensureImage(source);
  const profile = await podmanProfile(image);
  const args = podmanRunArgs(profile, {
    sessionId: 'bench',
    launcherPid: process.pid,
    usernsSlot: 0,
    image,
    command: manifest.app.command,
    workspaceBytes: manifest.workspace.sizeBytes,
    workspaceExec: manifest.workspace.exec,
    memBytes: manifest.resources.memBytes,
    shmBytes: shmFor(manifest.resources.memBytes),
    cpus: manifest.resources.cpus,
    pids: manifest.resources.pids,
    gpu: null,
  });
  const bare: number[] = [];
  const ready: number[] = [];
  const wipe: number[] = [];
  await aiWayRun(launcher); // warm-up: image loaded, profile cached
  for (let i = 0; i < runs; i++) {
    bare.push(await bareRun(args, manifest.app.port, manifest.health.path));
    const r = await aiWayRun(launcher);
    ready.push(r.readyMs);
    wipe.push(r.wipeMs);
  }
  return { readyMs: median(ready), bareMs: median(bare), wipeMs: median(wipe) };
}

/** Peak RSS (VmHWM) of the launcher during a held session that imports `file`, and the import's time. */
export function heldSession(launcher: string[], file: string): Promise<{ peakRssBytes: number; importMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(launcher[0]!, [...launcher.slice(1), 'run', '--headless', '--json', '--hold'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        /* exited */
      }
    }, 20);
    let buf = '';
    let t = 0;
    let importMs = NaN;
    child.stdout.on('data', (b) => {
      buf += b;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line);
        if (e.type === 'ready') {
          t = performance.now();
          child.stdin.write(`${JSON.stringify({ op: 'add', path: file })}\n`);
        }
        if (e.type === 'uploaded' || e.type === 'refused') {
          importMs = performance.now() - t;
          child.stdin.end();
        }
        if (e.type === 'error') reject(new Error(e.message));
      }
    });
    child.on('close', () => {
      clearInterval(poll);
      resolve({ peakRssBytes: peak, importMs });
    });
  });
}
