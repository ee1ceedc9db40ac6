// Support bundles: a directory (or a .tar.gz of one) that holds a host's artifacts verbatim.
// Layout (a contract): host.json, files/<absolute path>, devices.txt, listing.txt, commands/<name>.out|.err|.exit|.timeout
import { lstat, opendir, readdir, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { hostInfoSchema, MAX_ARTIFACT_BYTES, type Artifacts, type CommandRecord } from './artifacts.ts';
import { packTar, unpackTar, type TarEntry } from '../../appliance/tar.ts';
import { gunzipAtMost, ReadRefused, readRegularFile } from '../bounded-read.ts';
import { sizeText } from '../../appliance/size-text.ts';
import { makeFolders } from '../make-folders.ts';
import { redactBytes, type Secrets } from './redact.ts';
import { decodeText } from './text.ts';
import { Failure } from '../../appliance/failures.ts';

/** A bundle that cannot be read; its code's advice says what to give instead. */
export class BundleError extends Failure {
  constructor(message: string) {
    super('bundle', message);
  }
}

/** A bundle holds about a hundred files and folders; thousands mean it is something else. */
export const MAX_BUNDLE_ENTRIES = 4096;
/**
 * The most a bundle may hold: its .tar.gz, the tar inside once decompressed, or a folder's files
 * together. A real one is under 1 MiB; each file in it is at most MAX_ARTIFACT_BYTES.
 */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

const COMMAND_PART = /^(.+)\.(out|err|exit|timeout)$/;
// Outputs that list network cards (Windows' systeminfo): their addresses are hidden too.
const ADDRESS_BEARING = new Set(['systeminfo', 'podman-info-json']);

/** Bundle contents as relative path -> bytes. */
export function bundleEntries(a: Artifacts, secrets?: Secrets): TarEntry[] {
  const clean = (bytes: Uint8Array, addresses = false) => (secrets ? redactBytes(bytes, secrets, addresses) : bytes);
  const enc = new TextEncoder();
  const entries: TarEntry[] = [{ path: 'host.json', data: enc.encode(`${JSON.stringify(a.host, null, 2)}\n`) }];
  for (const [p, bytes] of a.files) entries.push({ path: `files${p}`, data: clean(bytes) });
  const lineFile = (name: string, list: readonly string[] | null | undefined) => {
    if (list != null) entries.push({ path: name, data: clean(enc.encode(list.map((d) => `${d}\n`).join(''))) });
  };
  lineFile('devices.txt', a.devices);
  lineFile('listing.txt', a.listing);
  for (const [name, rec] of a.commands) {
    const addresses = ADDRESS_BEARING.has(name);
    entries.push({ path: `commands/${name}.out`, data: clean(rec.out, addresses) });
    if (rec.err?.length) entries.push({ path: `commands/${name}.err`, data: clean(rec.err, addresses) });
    if (rec.exit !== undefined) entries.push({ path: `commands/${name}.exit`, data: enc.encode(`${rec.exit}\n`) });
    if (rec.timeoutMs !== undefined) entries.push({ path: `commands/${name}.timeout`, data: enc.encode(`${rec.timeoutMs}\n`) });
  }
  return entries.sort((x, y) => x.path.localeCompare(y.path));
}

/** Makes DIR (and its parents) or finds it empty, so a bundle can be written there. */
export async function prepareBundleFolder(dir: string): Promise<void> {
  await makeFolders(dir);
  if ((await readdir(dir)).length > 0) throw new Failure('output', `${dir} is not empty`, { fix: 'choose a new folder for the bundle' });
}

/** Writes DIR and DIR.tar.gz. DIR must not exist or be empty. */
export async function writeBundle(dir: string, a: Artifacts, secrets?: Secrets): Promise<{ dir: string; archive: string }> {
  const entries = bundleEntries(a, secrets);
  await prepareBundleFolder(dir);
  for (const e of entries) {
    const target = path.join(dir, ...e.path.split('/'));
    await makeFolders(path.dirname(target));
    await writeFile(target, e.data);
  }
  const archive = `${dir.replace(/[\\/]+$/, '')}.tar.gz`;
  const root = path.basename(path.resolve(dir));
  await writeFile(archive, gzipSync(packTar(entries.map((e) => ({ path: `${root}/${e.path}`, data: e.data })))));
  return { dir, archive };
}

/** Reads a bundle directory or .tar.gz archive, within the limits above. */
export async function readBundle(location: string): Promise<Artifacts> {
  let st: Stats;
  try {
    st = await stat(location);
  } catch {
    throw new BundleError(`no bundle at ${location}`);
  }
  try {
    const entries = st.isDirectory() ? await readDirEntries(location) : await readArchiveEntries(location);
    return artifactsFromEntries(entries, location);
  } catch (e) {
    if (e instanceof ReadRefused) throw new BundleError(e.message);
    const { code, path: where } = e as NodeJS.ErrnoException;
    if (code && /^E[A-Z]+$/.test(code)) throw new BundleError(`${where ?? location} cannot be read (${code})`);
    throw e;
  }
}

async function readDirEntries(root: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  let count = 0;
  let total = 0;
  const tooMuch = (what: string) => new BundleError(`${root} holds more than ${what} a bundle may have`);
  const walk = async (rel: string): Promise<void> => {
    const names: string[] = [];
    // Listed one name at a time, so a folder of millions stops at the limit.
    for await (const entry of await opendir(path.join(root, rel))) {
      if (++count > MAX_BUNDLE_ENTRIES) throw tooMuch(`the ${MAX_BUNDLE_ENTRIES} files and folders`);
      names.push(entry.name);
    }
    for (const name of names.sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const st = await lstat(path.join(root, relPath));
      if (st.isDirectory()) await walk(relPath);
      else if (st.isFile()) {
        const data = await readRegularFile(path.join(root, relPath), MAX_ARTIFACT_BYTES);
        total += data.length;
        if (total > MAX_BUNDLE_BYTES) throw tooMuch(`the ${sizeText(MAX_BUNDLE_BYTES)}`);
        out.push({ path: relPath, data });
      }
      // links and special files are skipped: a bundle holds plain files only
    }
  };
  await walk('');
  return out;
}

async function readArchiveEntries(location: string): Promise<TarEntry[]> {
  const bytes = await readRegularFile(location, MAX_BUNDLE_BYTES);
  let tar = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      tar = gunzipAtMost(bytes, MAX_BUNDLE_BYTES, location);
    } catch (e) {
      if (e instanceof ReadRefused) throw e;
      throw new BundleError(`${location} is not a readable .tar.gz`);
    }
  }
  let entries: TarEntry[];
  try {
    entries = unpackTar(tar, { maxEntries: MAX_BUNDLE_ENTRIES, maxEntryBytes: MAX_ARTIFACT_BYTES });
  } catch (e) {
    throw new BundleError(`${location}: ${(e as Error).message}`);
  }
  // Archives hold one top folder (DIR/...): strip it when host.json sits under it.
  const top = entries.find((e) => e.path.endsWith('host.json'))?.path.slice(0, -'host.json'.length) ?? '';
  return entries.filter((e) => e.path.startsWith(top)).map((e) => ({ path: e.path.slice(top.length), data: e.data }));
}

function describeIssue(issue: {
  code: string;
  message: string;
  values?: readonly unknown[];
  expected?: unknown;
  minimum?: unknown;
}): string {
  if (issue.code === 'invalid_value' && issue.values) return `must be one of ${issue.values.join(', ')}`;
  if (issue.code === 'invalid_type') return `must be ${issue.expected === 'int' ? 'a whole number' : `a ${String(issue.expected)}`}`;
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)}`;
  return issue.message;
}

export function artifactsFromEntries(entries: readonly TarEntry[], location: string): Artifacts {
  const byPath = new Map(entries.map((e) => [e.path.replace(/^\.\//, ''), e.data]));
  const hostBytes = byPath.get('host.json');
  if (!hostBytes) throw new BundleError(`${location} has no host.json: it is not an ai-way support bundle`);
  let hostDoc: unknown;
  try {
    hostDoc = JSON.parse(decodeText(hostBytes));
  } catch (e) {
    throw new BundleError(`${path.join(location, 'host.json')}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = hostInfoSchema.safeParse(hostDoc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BundleError(`${path.join(location, 'host.json')}: ${issue.path.join('.') || '(top)'}: ${describeIssue(issue)}`);
  }
  const files = new Map<string, Uint8Array>();
  const commands = new Map<string, CommandRecord>();
  for (const [p, data] of byPath) {
    if (p.split('/').includes('..')) continue; // never let a bundle name a path outside itself
    if (p.startsWith('files/')) files.set(p.slice('files'.length), data);
    const cmd = p.startsWith('commands/') ? COMMAND_PART.exec(p.slice('commands/'.length)) : null;
    if (!cmd || cmd[1]!.includes('/')) continue;
    const rec = commands.get(cmd[1]!) ?? { out: new Uint8Array() };
    const n = Number.parseInt(decodeText(data).trim(), 10);
    if (cmd[2] === 'out') rec.out = data;
    else if (cmd[2] === 'err') rec.err = data;
    else if (cmd[2] === 'exit' && Number.isFinite(n)) rec.exit = n;
    else if (cmd[2] === 'timeout') rec.timeoutMs = Number.isFinite(n) ? n : 0;
    commands.set(cmd[1]!, rec);
  }
  const lineList = (name: string) => {
    const data = byPath.get(name);
    return data === undefined
      ? null
      : decodeText(data)
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean);
  };
  return { host: parsed.data, files, devices: lineList('devices.txt'), listing: lineList('listing.txt'), commands };
}
