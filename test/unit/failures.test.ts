// One vocabulary of failures: every error class of the code carries a code from it, and the README
// documents each code with its exit code.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, Failure, FAILURES, asFailure } from '../../appliance/failures.ts';
import { ManifestError } from '../../appliance/manifest.ts';
import { BundleError } from '../../platforms/host/bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sources = ['appliance', 'platforms', 'launcher'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(dir, f)),
);

describe('the failure vocabulary', () => {
  it('gives each code an exit code and advice that ends a line', () => {
    for (const [code, { exit, fix }] of Object.entries(FAILURES)) {
      expect([code, (Object.values(EXIT) as number[]).includes(exit)]).toEqual([code, true]);
      expect([code, fix]).toEqual([code, expect.not.stringMatching(/[\n.]$|^[A-Z]/)]);
    }
  });

  it('is the only kind of error the code throws: every error class carries a code from it', () => {
    // Only the file reader's own refusal keeps an errno-style code (ENOTREG, EFBIG) beside Node's
    // ENOENT and EACCES: each reader turns it into its failure (manifest, bundle, image-refused).
    const classes = sources.flatMap((f) =>
      [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(/class (\w+) extends (\w+)/g)].map((m) => `${m[1]} extends ${m[2]}`),
    );
    expect(classes.filter((c) => c.endsWith(' extends Error'))).toEqual(['Failure extends Error', 'ReadRefused extends Error']);
    expect(classes.filter((c) => c.endsWith(' extends Failure')).length).toBeGreaterThan(5); // the checker sees them (it can fail)
  });

  it('says a failure in one line: what went wrong, then what to do', () => {
    expect(new Failure('timeout', 'the appliance was not ready within 5 s').oneLine()).toBe(
      'the appliance was not ready within 5 s; give it longer with --timeout (for example --timeout 2m)',
    );
    expect(new Failure('refused', 'x.txt: no such file').oneLine()).toBe('x.txt: no such file');
    expect(new ManifestError('a.toml', 2, 3, "unknown key 'x'", 'remove it')).toMatchObject({
      code: 'manifest',
      exitCode: 3,
      message: "a.toml:2:3: unknown key 'x'",
      fix: 'remove it',
    });
    expect(new BundleError('no bundle at /x').oneLine()).toBe(`no bundle at /x; ${FAILURES.bundle.fix}`);
    expect(asFailure(new Error('surprise'), 'boot')).toMatchObject({ code: 'boot', exitCode: EXIT.bootFailed, message: 'surprise' });
  });
});
