// A real rootless session with a model: the selftest appliance, made to need one by a [model]
// table, gets the project's tiny GGUF by --model. The proof from inside must show it mounted
// read-only at /model/model.gguf, and it must never appear in the workspace.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rootlessUnavailable } from '../support/rootless.ts';
import { rootlessRuns, takeSessionTurns } from '../support/sessions.ts';
import { EXIT } from '../../launcher/exit-codes.ts';
import { TINY, writeTinyLlama } from '../../packaging/models/tiny-llama.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const why = rootlessUnavailable();
if (why) console.warn(`SKIPPING sessions with a model: ${why}`);

describe.skipIf(why !== null)('a session with a model, rootless', () => {
  takeSessionTurns();
  const { start, noLeftovers } = rootlessRuns();
  // Where the test user can read everything: the manifest, its image, the model.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-model-session-'));
  chmodSync(dir, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const image = path.join(dir, `selftest-${ARCH}.oci.tar`);
  const manifest = path.join(dir, 'appliance.toml');
  const model = path.join(dir, 'tiny.gguf');

  it('proves the model read-only from inside, keeps it out of the workspace, and wipes', async () => {
    copyFileSync(path.join(ROOT, 'build/images', `selftest-${ARCH}.oci.tar`), image);
    const selftest = readFileSync(path.join(ROOT, 'images/selftest/appliance.toml'), 'utf8');
    writeFileSync(manifest, `${selftest.replaceAll(/oci-archive:[^"]*(selftest-\w+\.oci\.tar)/g, `oci-archive:${dir}/$1`)}\n[model]\n`);
    writeTinyLlama(TINY, model);
    for (const f of [image, manifest, model]) chmodSync(f, 0o644);

    const run = start(['--appliance', manifest, '--model', model, '--hold']);
    const verified = await run.next('verified');
    const fact = verified.facts.find((f: { id: string }) => f.id === 'model');
    expect(fact).toEqual({
      id: 'model',
      ok: true,
      detail: 'the model is mounted read-only at /model/model.gguf (ro, nodev, nosuid, noexec)',
    });
    expect(verified.proven).toBe(true);
    await run.next('ready');
    run.send({ op: 'list' });
    expect((await run.next('files')).files).toEqual([]); // the model is no file of the workspace
    run.send({ op: 'quit' });
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(await noLeftovers(run)).toEqual([]);
  });
});
