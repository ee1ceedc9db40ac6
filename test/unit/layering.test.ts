// The architecture's layering, enforced by dependency-cruiser (scripts/layering.mjs) on the real
// import graph: this checkout keeps every rule, and a tree planted with breaches has each one caught.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADAPTERS } from '../../platforms/registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'layering.mjs');

function cruise(root?: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...(root ? [root] : [])], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Each broken rule, as "rule: from": what the planted tree breaks. */
const broken = (out: string) => [...out.matchAll(/error ([\w-]+): (\S+) →/g)].map((m) => `${m[1]}: ${m[2]}`).sort();

/** A tree of TypeScript files: path -> its imports (`type` ones start with "type "). */
function plant(files: Record<string, string[]>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ai-way-layering-'));
  for (const [file, imports] of Object.entries(files)) {
    mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    const lines = imports.map((i, n) => {
      const target = i.replace(/^type /, '');
      const from = path.relative(path.dirname(file), target).replace(/^(?!\.)/, './');
      return i.startsWith('type ') ? `import type { T${n} } from '${from}';` : `import { v${n} } from '${from}';`;
    });
    writeFileSync(path.join(root, file), `${lines.join('\n')}\nexport type T = number;\nexport const v = 1;\n`);
  }
  return root;
}

describe('layering', () => {
  it('this checkout keeps every folder rule', () => {
    expect(cruise()).toEqual({ code: 0, out: 'layering: every folder rule holds\n' });
  });

  it('catches a breach of each rule, type imports too, and lets through what the rules allow', () => {
    const root = plant({
      'appliance/plan.ts': ['launcher/main.ts', 'appliance/tar.ts'],
      'appliance/facts.ts': ['type platforms/host/report.ts'],
      'appliance/tar.ts': [],
      'platforms/adapter.ts': ['appliance/plan.ts', 'platforms/host/report.ts'],
      'platforms/registry.ts': ['platforms/linux/index.ts', 'platforms/qemu/index.ts'],
      'platforms/host/report.ts': [],
      'platforms/host/probe.ts': ['platforms/linux/profile-path.ts', 'platforms/registry.ts'],
      'platforms/linux/index.ts': ['platforms/host/report.ts', 'type platforms/adapter.ts', 'platforms/linux/profile-path.ts'],
      'platforms/linux/profile-path.ts': [],
      'platforms/qemu/index.ts': ['platforms/linux/profile-path.ts', 'launcher/main.ts'],
      'launcher/main.ts': ['platforms/host/report.ts'],
      'launcher/session/launch.ts': ['platforms/registry.ts', 'platforms/linux/index.ts'],
      'launcher/ui/controller.ts': ['type platforms/adapter.ts', 'launcher/session/launch.ts', 'platforms/host/report.ts'],
      'launcher/commands/run.ts': ['launcher/cycle-a.ts'],
      'launcher/cycle-a.ts': ['launcher/cycle-b.ts'],
      'launcher/cycle-b.ts': ['launcher/cycle-a.ts'],
      'launcher/types-a.ts': ['type launcher/types-b.ts'],
      'launcher/types-b.ts': ['launcher/types-a.ts'],
      'packaging/oci-image.ts': ['appliance/tar.ts', 'platforms/host/report.ts'],
    });
    try {
      const r = cruise(root);
      expect(r.code).toBe(1);
      expect(broken(r.out)).toEqual([
        'appliance-imports-only-itself: appliance/facts.ts',
        'appliance-imports-only-itself: appliance/plan.ts',
        'front-ends-reach-adapters-through-the-session: launcher/ui/controller.ts',
        'host-knows-no-adapter: platforms/host/probe.ts',
        'launcher-reaches-adapters-through-the-registry: launcher/session/launch.ts',
        'no-adapter-imports-another: platforms/host/probe.ts',
        'no-adapter-imports-another: platforms/qemu/index.ts',
        'no-circular: launcher/cycle-a.ts',
        'packaging-imports-no-platforms: packaging/oci-image.ts',
        'platforms-import-platforms-and-appliance: platforms/qemu/index.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('outside platforms/, no code tells the adapters apart by name', () => {
    const ids = ADAPTERS.map((a) => a.id).join('|');
    const byName = new RegExp(`(adapter|\\.id)\\b[^;]*[!=]==\\s*['"](${ids})['"]|['"](${ids})['"]\\s*[!=]==[^;]*(adapter|\\.id)\\b`);
    const named = ['appliance', 'launcher', 'packaging'].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true })
        .map(String)
        .filter((f) => /\.tsx?$/.test(f))
        .flatMap((f) =>
          readFileSync(path.join(ROOT, dir, f), 'utf8')
            .split('\n')
            .flatMap((line, i) => (byName.test(line) ? [`${dir}/${f}:${i + 1}`] : [])),
        ),
    );
    expect(named).toEqual([]);
    expect(byName.test("if (plan.platform.adapter !== 'linux')")).toBe(true); // the check sees what it looks for
  });
});

describe('README', () => {
  it('documents every bundle command name', async () => {
    const { COMMAND_NAMES } = await import('../../platforms/host/probe-spec.ts');
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const name of COMMAND_NAMES) expect([name, readme.includes(`| \`${name}\` |`)]).toEqual([name, true]);
  });
});
