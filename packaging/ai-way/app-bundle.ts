// The ai-way app for its image: src/main.ts bundled by esbuild into one ES module, and
// node-llama-cpp beside it in node_modules in its own layout (it must not be bundled: it tests a
// binary by forking its own file, and finds its prebuilt binaries and data by its own path), with
// the packages it needs. The app's package-lock.json decides every version; `npm ci` installs them
// once per lock into build/ai-way-app.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TarEntry } from '../../appliance/tar.ts';

export const APP_FOLDER = path.join('images', 'ai-way', 'app');
const STAGE = path.join('build', 'ai-way-app');
const ENTRY = path.join('src', 'main.ts');
/** The runtime library, and the prebuilt binaries it imports by name (placed by the image, per arch). */
export const RUNTIME = 'node-llama-cpp';
const EXTERNAL = [RUNTIME, '@node-llama-cpp/*'];
// Only a source build of llama.cpp reads its sources (34 MB); the image never builds.
const NOT_NEEDED = /^node-llama-cpp\/llama\/gitRelease\.bundle$|\.d\.[cm]?ts$|\.map$/;

export interface AppLock {
  packages: Record<string, { version?: string; integrity?: string; dependencies?: Record<string, string> }>;
}

export interface AppBundle {
  main: Uint8Array;
  /** The runtime and what it needs, as paths under node_modules/. */
  modules: TarEntry[];
  lock: AppLock;
  lockSha256: string;
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The bundled app and its runtime's packages, or why there is no app to bundle yet. */
export async function bundleApp(repo: string): Promise<AppBundle | string> {
  const app = path.join(repo, APP_FOLDER);
  for (const f of [ENTRY, 'package.json', 'package-lock.json'])
    if (!existsSync(path.join(app, f))) return `${path.join(APP_FOLDER, f)} is not there`;
  const stage = path.join(repo, STAGE);
  const lockText = readFileSync(path.join(app, 'package-lock.json'));
  const lockSha256 = sha256(lockText);
  install(app, stage, lockSha256);
  // The sources anew each time, beside the installed packages.
  for (const f of readdirSync(stage)) if (f !== 'node_modules') rmSync(path.join(stage, f), { recursive: true, force: true });
  cpSync(app, stage, { recursive: true, filter: (p) => path.basename(p) !== 'node_modules' });
  const out = await build({
    entryPoints: [path.join(stage, ENTRY)],
    outfile: path.join(stage, 'main.mjs'),
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    legalComments: 'eof',
    // CommonJS packages inside an ES module still call require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  const main = out.outputFiles[0]?.contents;
  if (!main) throw new Error(`esbuild wrote nothing for ${path.join(APP_FOLDER, ENTRY)}`);
  return { main, modules: runtimeModules(path.join(stage, 'node_modules')), lock: JSON.parse(lockText.toString('utf8')), lockSha256 };
}

/** `npm ci` of the app's lock into the stage, unless that lock is installed there already. */
function install(app: string, stage: string, lockSha256: string): void {
  const marker = path.join(stage, 'node_modules', '.ai-way-lock-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === lockSha256) return;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) cpSync(path.join(app, f), path.join(stage, f));
  try {
    // No optional packages (the prebuilt binaries of every platform); no install scripts (the
    // runtime's would try to build llama.cpp).
    execFileSync('npm', ['ci', '--omit=optional', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: stage,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    throw new Error(`npm ci of ${APP_FOLDER} failed: ${(err.stderr?.toString() || err.message).trim().split('\n').at(-1)}`);
  }
  writeFileSync(marker, lockSha256);
}

/** The runtime's package folder and those of its dependencies, found as Node finds them. */
function runtimeModules(nodeModules: string): TarEntry[] {
  const folders = new Set<string>();
  const visit = (dir: string) => {
    if (folders.has(dir)) return;
    folders.add(dir);
    const pkg = JSON.parse(readFileSync(path.join(nodeModules, dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(resolve(nodeModules, dir, dep));
  };
  visit(RUNTIME);
  return [...folders].sort().flatMap((dir) => packageFiles(nodeModules, dir));
}

function resolve(nodeModules: string, from: string, dep: string): string {
  for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
    const candidate = at ? `${at}/node_modules/${dep}` : dep;
    if (existsSync(path.join(nodeModules, candidate, 'package.json'))) return candidate;
    if (!at) throw new Error(`${from} needs ${dep}, which npm ci did not install`);
  }
}

/** A package's own files (not the packages nested in it), as node_modules/<dir>/... */
function packageFiles(nodeModules: string, dir: string): TarEntry[] {
  const out: TarEntry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(nodeModules, rel)).sort()) {
      const r = `${rel}/${name}`;
      const full = path.join(nodeModules, r);
      const st = statSync(full);
      if (st.isDirectory()) {
        if (name !== 'node_modules') walk(r);
      } else if (st.isFile() && !NOT_NEEDED.test(r)) {
        out.push({ path: `node_modules/${r}`, data: new Uint8Array(readFileSync(full)), mode: st.mode & 0o111 ? 0o755 : 0o644 });
      }
    }
  };
  walk(dir);
  return out;
}
