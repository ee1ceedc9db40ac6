// Live probing: read files, list device nodes and run commands, all at once, each with a time limit.
// The only module here with side effects; what it returns is exactly what a bundle stores.
import { lstat, readdir, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { MAX_ARTIFACT_BYTES, RECORDED_ENV, type Artifacts, type CommandRecord, type HostInfo } from './artifacts.ts';
import {
  commandsFor,
  DEVICE_PATTERNS,
  EXTRA_PATH_LINUX,
  LINUX_FILES,
  LINUX_LISTED,
  PCI_GPU_FILES,
  linkerListed,
  type CommandSpec,
} from './probe-spec.ts';
import { parseLdconfig } from './parse/linux.ts';
import { parsePciUevent, isGpuClass } from './parse/pci.ts';
import { decodeText } from './text.ts';
import { readRegularFile } from '../bounded-read.ts';

export interface ProbeOptions {
  /** Overrides for tests: a PATH to search first, a host description. */
  pathPrefix?: readonly string[];
  host?: HostInfo;
  /** Scales every command's time limit (tests use small ones). */
  timeoutScale?: number;
  /** 'full' also runs the slow commands (for support bundles); 'quick' is for doctor and plan. */
  depth?: 'quick' | 'full';
  /** ai-way's own files that the adapters' analysis reads (what a canary learned), recorded as if printed. */
  records?: readonly RecordedFile[];
}

/** A file of ai-way's own, kept in the record under a name of its own (see COMMAND_NAMES); left out where missing. */
export interface RecordedFile {
  name: string;
  path: string;
}

export function liveHostInfo(): HostInfo {
  const env: Record<string, string> = {};
  for (const name of RECORDED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  const cpus = os.cpus();
  return {
    os: process.platform as HostInfo['os'],
    arch: process.arch,
    release: os.release(),
    totalMemBytes: os.totalmem(),
    cpus: cpus.length || os.availableParallelism(),
    ...(cpus[0]?.model ? { cpuModel: cpus[0].model.trim() } : {}),
    ...(Object.keys(env).length ? { env } : {}),
  };
}

export async function probeHost(options: ProbeOptions = {}): Promise<Artifacts> {
  const host = options.host ?? liveHostInfo();
  if (!['linux', 'darwin', 'win32'].includes(host.os)) throw new Error(`ai-way does not run on ${host.os}`);
  const linux = host.os === 'linux';
  const commandEnv = commandEnvironment(host, options.pathPrefix ?? []);
  const scale = options.timeoutScale ?? 1;
  const [files, devices, listing, recorded, commands] = await Promise.all([
    linux ? readLinuxFiles() : Promise.resolve(new Map<string, Uint8Array>()),
    linux ? listDevices() : Promise.resolve(null),
    linux ? listPaths(LINUX_LISTED) : Promise.resolve(null),
    Promise.all((options.records ?? []).map(async (r) => [r.name, await readQuietly(r.path)] as const)),
    runAll(
      commandsFor(host)
        .filter((c) => options.depth === 'full' || !c.fullOnly)
        .map((c) => ({ ...c, timeoutMs: Math.round(c.timeoutMs * scale) })),
      commandEnv,
    ),
  ]);
  for (const [name, out] of recorded) if (out) commands.set(name, { out, exit: 0 });
  if (listing) listing.push(...(await listLinkerFolders(commands, listing)));
  return { host, files, devices, listing: listing?.sort() ?? null, commands };
}

function commandEnvironment(host: HostInfo, prefix: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.WSL_UTF8; // record wsl.exe's own bytes
  const extra = host.os === 'linux' ? EXTRA_PATH_LINUX : [];
  env.PATH = [...prefix, process.env.PATH ?? '', ...extra].filter(Boolean).join(path.delimiter);
  if (host.os !== 'win32') env.LC_ALL = 'C'; // tools answer in one language, not the user's
  return env;
}

async function runAll(specs: CommandSpec[], env: NodeJS.ProcessEnv): Promise<Map<string, CommandRecord>> {
  const results = await Promise.all(specs.map(async (s) => [s.name, await runCommand(s, env)] as const));
  return new Map(results.filter((r): r is readonly [string, CommandRecord] => r[1] !== null));
}

/**
 * Runs one command; null when it is not installed. Never waits past its limit, even for a process
 * stuck in the kernel (a wedged GPU driver survives SIGKILL): it is killed, unreferenced and left.
 * node:child_process directly, not execa: execa's import alone costs a fifth of doctor's budget.
 */
export function runCommand(spec: CommandSpec, env: NodeJS.ProcessEnv): Promise<CommandRecord | null> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const bytes = (chunks: Buffer[]) => new Uint8Array(Buffer.concat(chunks));
    const record = (extra: Partial<CommandRecord>): CommandRecord => ({
      out: bytes(out),
      ...(err.length ? { err: bytes(err) } : {}),
      ...extra,
    });
    const finish = (rec: CommandRecord | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(rec);
    };
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    // Each stream keeps its first MAX_ARTIFACT_BYTES, what a bundle may hold of it; the rest is dropped.
    const collect = (into: Buffer[]) => {
      let kept = 0;
      return (chunk: Buffer) => {
        const room = MAX_ARTIFACT_BYTES - kept;
        if (room <= 0) return;
        into.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
        kept += Math.min(room, chunk.length);
      };
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    // EACCES is what a search through an unreadable PATH folder (another user's home) ends with
    // when the command is nowhere: not installed, for this user.
    child.on('error', (e: NodeJS.ErrnoException) =>
      finish(e.code === 'ENOENT' || e.code === 'EACCES' ? null : record({ err: new TextEncoder().encode(e.message), exit: 126 })),
    );
    child.on('close', (code, signal) => finish(record({ exit: code ?? 128 + (signal ? osSignal(signal) : 0) })));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      finish(record({ timeoutMs: spec.timeoutMs }));
    }, spec.timeoutMs);
  });
}

const osSignal = (name: NodeJS.Signals) => os.constants.signals[name] ?? 0;

async function readLinuxFiles(): Promise<Map<string, Uint8Array>> {
  const paths = (await Promise.all(LINUX_FILES.map((p) => expandGlob(p)))).flat();
  const read = await Promise.all(paths.map(async (p) => [p, await readQuietly(p)] as const));
  const files = new Map<string, Uint8Array>();
  const gpuDirs: string[] = [];
  for (const [p, bytes] of read) {
    if (bytes === null) continue;
    if (p.startsWith('/sys/bus/pci/devices/')) {
      if (!isGpuClass(parsePciUevent(decodeText(bytes))?.classCode ?? null)) continue; // only GPUs' PCI files
      gpuDirs.push(path.posix.dirname(p));
    }
    files.set(p, bytes);
  }
  const extra = gpuDirs.flatMap((d) => PCI_GPU_FILES.map((f) => `${d}/${f}`));
  for (const [p, bytes] of await Promise.all(extra.map(async (p) => [p, await readQuietly(p)] as const))) {
    if (bytes !== null) files.set(p, bytes);
  }
  return files;
}

/** A regular file of at most what a bundle may hold of it; null when absent, unreadable, special or too big. */
async function readQuietly(p: string): Promise<Uint8Array | null> {
  try {
    return await readRegularFile(p, MAX_ARTIFACT_BYTES);
  } catch {
    return null;
  }
}

/** Expands a star within path segments, as in /dev/nvidia<star> or /proc/driver/nvidia/gpus/<star>/information. */
export async function expandGlob(pattern: string, list: (dir: string) => Promise<string[]> = readdir): Promise<string[]> {
  const segments = pattern.split('/').filter(Boolean);
  let found = ['/'];
  for (const seg of segments) {
    if (!seg.includes('*')) {
      found = found.map((f) => path.posix.join(f, seg));
      continue;
    }
    const re = new RegExp(`^${seg.split('*').map(escapeRe).join('.*')}$`);
    const next = await Promise.all(
      found.map(async (dir) => {
        try {
          return (await list(dir))
            .filter((n) => re.test(n))
            .sort()
            .map((n) => path.posix.join(dir, n));
        } catch {
          return [];
        }
      }),
    );
    found = next.flat();
  }
  return found;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Each existing path as `ls` names it: "path", "path/" (folder) or "path -> target" (link). A link is
 * written with its final target, which is listed too, so chains through /etc/alternatives resolve.
 */
async function listPaths(patterns: readonly string[]): Promise<string[]> {
  // Many patterns share a folder (/usr/lib/x86_64-linux-gnu holds thousands of names): read each once.
  const folders = new Map<string, Promise<string[]>>();
  const list = (dir: string) => {
    if (!folders.has(dir)) folders.set(dir, readdir(dir));
    return folders.get(dir)!;
  };
  const paths = [...new Set((await Promise.all(patterns.map((p) => expandGlob(p, list)))).flat())];
  const named = await Promise.all(
    paths.map(async (p): Promise<string[]> => {
      try {
        const st = await lstat(p);
        if (st.isDirectory()) return [`${p}/`];
        if (!st.isSymbolicLink()) return [p];
        const target = await realpath(p);
        return [`${p} -> ${target}`, (await lstat(target)).isDirectory() ? `${target}/` : target];
      } catch {
        return [];
      } // gone meanwhile, or a dangling link: nothing to pass on
    }),
  );
  return [...new Set(named.flat())];
}

/** Drivers' libraries in folders only the linker cache names (Debian's nvidia/current, a vendor prefix). */
async function listLinkerFolders(commands: ReadonlyMap<string, CommandRecord>, listed: readonly string[]): Promise<string[]> {
  const ldconfig = commands.get('ldconfig-p');
  if (ldconfig?.exit !== 0) return [];
  const known = new Set(listed.map((l) => path.posix.dirname(l.split(' -> ')[0]!.replace(/\/$/, ''))));
  return listPaths(linkerListed(parseLdconfig(decodeText(ldconfig.out))).filter((pattern) => !known.has(path.posix.dirname(pattern))));
}

async function listDevices(): Promise<string[]> {
  const found = await Promise.all(DEVICE_PATTERNS.map(async (p) => (p.includes('*') ? expandGlob(p) : (await exists(p)) ? [p] : [])));
  return [...new Set(found.flat())].sort();
}

async function exists(p: string): Promise<boolean> {
  try {
    await readdir(path.posix.dirname(p)).then((names) => {
      if (!names.includes(path.posix.basename(p))) throw new Error();
    });
    return true;
  } catch {
    return false;
  }
}
