// The folder rules of ARCHITECTURE.md, checked by dependency-cruiser on the real import graph (type
// imports and dynamic imports included): `node scripts/layering.mjs [ROOT]` prints each broken rule
// and exits 1, or exits 0. The test suite runs it on this checkout, and on planted breaches.
//
// dependency-cruiser reads TypeScript through TypeScript's compiler API, which TypeScript 7 (the
// project's type checker) no longer has: for this run, its imports of "typescript" get the pinned
// 5.9.3 instead (the devDependency "typescript-5"), in CommonJS (its version check) and ESM alike.
import Module, { register } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';

const CRUISER = `${path.sep}node_modules${path.sep}dependency-cruiser${path.sep}`;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const swapped =
    parent?.filename?.includes(CRUISER) && /^typescript(\/|$)/.test(request) ? request.replace('typescript', 'typescript-5') : request;
  return resolveFilename.call(this, swapped, parent, ...rest);
};
const esmHook = `export async function resolve(specifier, context, next) {
  const swap = context.parentURL?.includes('/node_modules/dependency-cruiser/') && /^typescript(\\/|$)/.test(specifier);
  return next(swap ? specifier.replace('typescript', 'typescript-5') : specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(esmHook)}`);

/** Folders of ai-way's own code; each rule below names the ones it is about. */
export const SOURCE_FOLDERS = ['appliance', 'launcher', 'platforms', 'packaging', 'images'];

/** Where the adapters' code may meet: the interface and the registry, at the top of platforms/. */
const ADAPTER_DOOR = '^platforms/(adapter|registry)\\.ts$';

export const RULES = [
  {
    name: 'no-circular',
    // Type-only imports vanish at run time; the host report's types and its vendor modules' refer to each other.
    comment: 'modules import each other in a circle (type-only imports aside)',
    severity: 'error',
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
  {
    name: 'appliance-imports-only-itself',
    comment: 'appliance/ is the bottom layer: it imports nothing above it (Node built-ins and packages are fine)',
    severity: 'error',
    from: { path: '^appliance/' },
    to: { pathNot: '^(appliance/|node_modules/)', dependencyTypesNot: ['core'] },
  },
  {
    name: 'platforms-import-platforms-and-appliance',
    comment: 'platforms/ imports itself and appliance/ only',
    severity: 'error',
    from: { path: '^platforms/' },
    to: { pathNot: '^(platforms/|appliance/|node_modules/)', dependencyTypesNot: ['core'] },
  },
  {
    name: 'no-adapter-imports-another',
    comment: 'a folder of platforms/ never imports another; adapters may use host/ (the facts of the host), never the reverse',
    severity: 'error',
    from: { path: '^platforms/([^/]+)/' },
    to: { path: '^platforms/[^/]+/', pathNot: ['^platforms/$1/', '^platforms/host/'] },
  },
  {
    name: 'host-knows-no-adapter',
    comment: 'platforms/host/ describes the host; which adapters there are is for the registry to know',
    severity: 'error',
    from: { path: '^platforms/host/' },
    to: { path: ADAPTER_DOOR },
  },
  {
    name: 'launcher-reaches-adapters-through-the-registry',
    comment: "launcher/ never imports an adapter's own folder: it speaks to adapters through their interface and the registry",
    severity: 'error',
    from: { path: '^launcher/' },
    to: { path: '^platforms/(?!host/)[^/]+/' },
  },
  {
    name: 'front-ends-reach-adapters-through-the-session',
    comment: "the UI, the commands and the command line never import the adapters' interface or registry: launcher/session/ is their way",
    severity: 'error',
    from: { path: '^launcher/(ui|commands|cli|render)/|^launcher/main\\.ts$' },
    to: { path: ADAPTER_DOOR },
  },
  {
    name: 'packaging-imports-no-platforms',
    comment: 'packaging/ builds images and executables; it imports appliance/, never platforms/ or launcher/',
    severity: 'error',
    from: { path: '^packaging/' },
    to: { path: '^(platforms|launcher)/' },
  },
];

/** Cruises ROOT's source folders; resolves with the broken rules as dependency-cruiser's long error text, or '' when none. */
export async function brokenRules(root) {
  const { cruise, getAvailableTranspilers } = await import('dependency-cruiser');
  const ts = getAvailableTranspilers().find((t) => t.name === 'typescript');
  if (!ts?.available) throw new Error(`dependency-cruiser cannot read TypeScript here (it supports ${ts?.version}); run "npm ci"`);
  const folders = SOURCE_FOLDERS.filter((f) => existsSync(path.join(root, f)));
  const cwd = process.cwd();
  process.chdir(root); // dependency-cruiser names modules relative to the working folder
  try {
    const result = await cruise(folders, {
      validate: true,
      ruleSet: { forbidden: RULES },
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '(^|/)node_modules/' },
      outputType: 'err-long',
    });
    return result.exitCode === 0 ? '' : String(result.output);
  } finally {
    process.chdir(cwd);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
  const broken = await brokenRules(root);
  process.stdout.write(broken || 'layering: every folder rule holds\n');
  process.exit(broken ? 1 : 0);
}
