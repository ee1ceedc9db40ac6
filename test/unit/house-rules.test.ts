// The house rules the formatter cannot keep: small files (one job each) and lines a reviewer reads
// without scrolling. Every source file of the project, C included; recorded fixtures are data.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FOLDERS = ['appliance', 'launcher', 'platforms', 'packaging', 'scripts', 'bench', 'bin', 'native', 'test', 'images'];
// Installed and built: not the project's sources.
const SKIP = new Set(['node_modules', 'dist', path.join('test', 'contract', 'fixtures')]);
const SOURCE = /\.(ts|tsx|mjs|cjs|js|c|h|sh)$/;
const MAX_LINES = 400;
const MAX_COLUMNS = 140;

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) || SKIP.has(rel) ? [] : sources(rel);
    return SOURCE.test(e.name) ? [rel] : [];
  });
}

const files = FOLDERS.flatMap(sources);

describe('house rules', () => {
  it('finds the sources it judges', () => {
    expect(files).toContain(path.join('launcher', 'main.ts'));
    expect(files).toContain(path.join('native', 'agent', 'main.c'));
    expect(files).toContain(path.join('images', 'ai-way', 'app', 'src', 'main.ts'));
  });

  it(`no source file is longer than ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > MAX_LINES);
    expect(long).toEqual([]);
  });

  it(`no line is wider than ${MAX_COLUMNS} characters`, () => {
    const wide = files.flatMap((f) =>
      readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => ([...line].length > MAX_COLUMNS ? [`${f}:${i + 1}`] : [])),
    );
    expect(wide).toEqual([]);
  });
});
