// `ai-way models` and `--model` as a person types them: the store in XDG_DATA_HOME, one line and an
// exit code for each refusal, and the Plan that shows the model or says how to add one.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../support/rootless.ts';
import { FAILURES } from '../../appliance/failures.ts';
import { TINY, writeTinyLlama } from '../../packaging/models/tiny-llama.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-models-'));
const env = { ...process.env, XDG_DATA_HOME: path.join(dir, 'data'), NO_COLOR: '1' };
const aiWay = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const MODEL = path.join(dir, 'tiny.gguf');
writeTinyLlama({ ...TINY, embedding: 32, layers: 1, heads: 2, feedForward: 64, words: 20 }, MODEL);
// The selftest appliance, needing a model: its image archive named where it is.
const MANIFEST = path.join(dir, 'appliance.toml');
const selftest = readFileSync(path.join(ROOT, 'images/selftest/appliance.toml'), 'utf8');
writeFileSync(MANIFEST, `${selftest.replaceAll('oci-archive:../../', `oci-archive:${ROOT}/`)}\n[model]\ndefault = "tiny"\n`);

describe('ai-way models', () => {
  it('adds, lists (as text and JSON) and removes a model', () => {
    expect(aiWay('models', 'list')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^No models in .*; add one with "ai-way models add FILE\.gguf"\n$/),
    });
    const added = aiWay('models', 'add', MODEL);
    expect(added).toMatchObject({
      code: 0,
      err: '',
      out: expect.stringMatching(/^added tiny: .*, llama, sha256 [0-9a-f]{64}\n {2}stored read-only as /),
    });
    expect(aiWay('models', 'list').out).toMatch(/^Models in .*:\n {2}tiny +[\d.]+ KiB +llama +[0-9a-f]{64}\n$/);
    const listed = JSON.parse(aiWay('models', 'list', '--json').out);
    expect(listed.models).toEqual([
      expect.objectContaining({ name: 'tiny', architecture: 'llama', file: expect.stringContaining('/ai-way/models/') }),
    ]);
    expect(aiWay('models', 'remove', 'tiny')).toMatchObject({ code: 0, out: expect.stringMatching(/^removed tiny/) });
  });

  it('refuses in one line with an exit code: not a model, a missing name, a wrong word', () => {
    const text = path.join(dir, 'notes.gguf');
    writeFileSync(text, 'notes\n');
    expect(aiWay('models', 'add', text)).toEqual({
      code: 3,
      out: '',
      err: `ai-way: ${text} is not a usable GGUF model: it does not begin with "GGUF"; ${FAILURES.model.fix}\n`,
    });
    expect(aiWay('models', 'remove', 'nothing')).toMatchObject({
      code: 3,
      err: 'ai-way: there is no model named "nothing" in the store; add one with "ai-way models add FILE.gguf"\n',
    });
    expect(aiWay('models', 'lst')).toMatchObject({ code: 2, err: expect.stringContaining('did you mean "ai-way models list"?') });
  });

  it('run --model with a damaged model: one line, exit 3, before anything starts', () => {
    const cut = path.join(dir, 'cut.gguf');
    writeFileSync(cut, readFileSync(MODEL).subarray(0, -1000)); // the last tensor cut short
    const empty = path.join(dir, 'empty.gguf');
    writeFileSync(empty, '');
    for (const [file, why] of [
      [cut, /runs past the end of the file \(truncated\?\)/],
      [empty, /it is empty \(0 bytes\)/],
    ] as const) {
      const r = aiWay('run', '--headless', '--appliance', MANIFEST, '--model', file);
      expect(r).toMatchObject({ code: 3, out: '' });
      expect(r.err).toMatch(new RegExp(`^ai-way: ${file} is not a usable GGUF model: [^\\n]*${why.source}; [^\n]+\n$`));
    }
  });

  it('plan --model: the model in the Plan, or a Plan error that says how to add one', () => {
    const none = aiWay('plan', '--appliance', MANIFEST);
    expect(none).toMatchObject({
      code: 4,
      err: expect.stringContaining('its default model "tiny" is not in the store; add one with "ai-way models add FILE.gguf"'),
    });
    const byPath = aiWay('plan', '--appliance', MANIFEST, '--model', MODEL);
    expect(byPath).toMatchObject({ code: 0, out: expect.stringMatching(/\n {2}Model +tiny\.gguf, .*, read-only \(/) });
    aiWay('models', 'add', MODEL);
    const plan = JSON.parse(aiWay('plan', '--json', '--appliance', MANIFEST).out);
    expect(plan.model).toMatchObject({ name: 'tiny', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const qemu = aiWay('plan', '--appliance', MANIFEST, '--platform', 'qemu');
    expect(qemu.err).not.toContain('cannot enter');
    expect(qemu.out).toMatch(/\n {2}Model +tiny, .*, read-only \(/);
  });
});
