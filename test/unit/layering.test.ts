// The architecture's layering, enforced: appliance/ imports nothing above it; platforms/ imports
// itself and appliance/ (its types, and the engines' pure command lines); nothing imports launcher/.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(dir, f));
}

function imports(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*from\s+['"](\.[^'"]+)['"]/gm)].map((m) => ({
    target: path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[3]!)).split(path.sep)[0]!,
    typeOnly: Boolean(m[2]),
  }));
}

describe('layering', () => {
  it('appliance/ imports only itself', () => {
    for (const f of sources('appliance')) for (const i of imports(f)) expect([f, i.target]).toEqual([f, 'appliance']);
  });

  it('platforms/ imports itself and appliance/ only', () => {
    for (const f of sources('platforms'))
      for (const i of imports(f)) expect([f, ['platforms', 'appliance'].includes(i.target)]).toEqual([f, true]);
  });

  it('the checker sees real imports (it can fail)', () => {
    expect(imports('launcher/commands/doctor.ts').map((i) => i.target)).toContain('platforms');
  });
});

describe('README', () => {
  it('documents every bundle command name', async () => {
    const { COMMAND_NAMES } = await import('../../platforms/host/probe-spec.ts');
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const name of COMMAND_NAMES) expect([name, readme.includes(`| \`${name}\` |`)]).toEqual([name, true]);
  });
});
