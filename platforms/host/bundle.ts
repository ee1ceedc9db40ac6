// Support bundles: a directory (or a .tar.gz of one) that holds a host's artifacts verbatim.
// Layout (a contract): host.json, files/<absolute path>, devices.txt, listing.txt, commands/<name>.out|.err|.exit|.timeout
import { mkdir, readFile, readdir, lstat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hostInfoSchema, type Artifacts, type CommandRecord } from './artifacts.ts';
import { packTar, unpackTar, type TarEntry } from './tar.ts';
import { redactBytes, type Secrets } from './redact.ts';
import { decodeText } from './text.ts';

export class BundleError extends Error {}

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

/** Writes DIR and DIR.tar.gz. DIR must not exist or be empty. */
export async function writeBundle(dir: string, a: Artifacts, secrets?: Secrets): Promise<{ dir: string; archive: string }> {
  const entries = bundleEntries(a, secrets);
  let existing: string[] = [];
  try { existing = await readdir(dir); } catch { /* does not exist yet */ }
  if (existing.length > 0) throw new BundleError(`${dir} is not empty: choose a new folder for the bundle`);
  for (const e of entries) {
    const target = path.join(dir, ...e.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, e.data);
  }
  const archive = `${dir.replace(/[\\/]+$/, '')}.tar.gz`;
  const root = path.basename(path.resolve(dir));
  await writeFile(archive, gzipSync(packTar(entries.map((e) => ({ path: `${root}/${e.path}`, data: e.data })))));
  return { dir, archive };
}

/** Reads a bundle directory or .tar.gz archive. */
export async function readBundle(location: string): Promise<Artifacts> {
  let st;
  try { st = await lstat(location); } catch { throw new BundleError(`no bundle at ${location}: give the folder written by "ai-way bundle collect" or its .tar.gz`); }
  const entries = st.isDirectory() ? await readDirEntries(location) : readArchiveEntries(location, await readFile(location));
  return artifactsFromEntries(entries, location);
}

async function readDirEntries(root: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const st = await lstat(path.join(root, relPath));
      if (st.isDirectory()) await walk(relPath);
      else if (st.isFile()) out.push({ path: relPath, data: new Uint8Array(await readFile(path.join(root, relPath))) });
      // links and special files are skipped: a bundle holds plain files only
    }
  };
  await walk('');
  return out;
}

function readArchiveEntries(location: string, bytes: Uint8Array): TarEntry[] {
  let tar: Uint8Array;
  try { tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes; } catch { throw new BundleError(`${location} is not a readable .tar.gz`); }
  let entries: TarEntry[];
  try { entries = unpackTar(tar); } catch (e) { throw new BundleError(`${location}: ${(e as Error).message}`); }
  // Archives hold one top folder (DIR/...): strip it when host.json sits under it.
  const top = entries.find((e) => e.path.endsWith('host.json'))?.path.slice(0, -'host.json'.length) ?? '';
  return entries.filter((e) => e.path.startsWith(top)).map((e) => ({ path: e.path.slice(top.length), data: e.data }));
}

function describeIssue(issue: { code: string; message: string; values?: readonly unknown[]; expected?: unknown; minimum?: unknown }): string {
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
  try { hostDoc = JSON.parse(decodeText(hostBytes)); } catch (e) {
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
    return data === undefined ? null : decodeText(data).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  };
  return { host: parsed.data, files, devices: lineList('devices.txt'), listing: lineList('listing.txt'), commands };
}

