// The ai-way appliance for real, headless: the image the build makes (Debian's glibc, Node, llama.cpp's
// CPU build, the app), rootful Podman, the project's tiny model bound read-only. Isolation proven from
// inside (the model's mount too), the smoke question about its own document cited, a PDF and a
// Markdown file in, a question answered token by token with both as sources, bad documents refused
// with a reason while the session lives, the wipe, and nothing left.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../launcher/exit-codes.ts';
import { tinyPdf } from '../support/pdf.ts';
import { ROOT } from '../support/rootless.ts';
import { type Run, sessionScratch, rootful, sessionContainers, startRun, takeSessionTurns } from '../support/sessions.ts';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const IMAGE = path.join(ROOT, 'build/images', `ai-way-cpu-${ARCH}.oci.tar`);
const MODEL = path.join(ROOT, 'build/models/tiny-llama.gguf');

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'rootful Podman needs root';
  if (!existsSync(IMAGE)) return `the build made no ai-way image (${path.relative(ROOT, IMAGE)}): run npm run setup, then npm run build`;
  if (!existsSync(MODEL)) return 'the build made no tiny model (build/models/tiny-llama.gguf)';
  return null;
}
const why = unavailable();
if (why) console.warn(`SKIPPING the ai-way appliance's session: ${why}`);

interface Doc {
  name: string;
  status: string;
  chunks?: number;
  reason?: string;
}

/** The app's documents, asked through the session until `done` says they are as wanted. */
async function documentsWhen(run: Run, done: (docs: Doc[]) => boolean, ms = 30_000): Promise<Doc[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    run.send({ op: 'http', method: 'GET', path: '/documents' });
    const docs: Doc[] = JSON.parse((await run.next('answer')).body).documents;
    if (done(docs) || Date.now() > deadline) return docs;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(why)('the ai-way appliance, headless, with the tiny model', () => {
  takeSessionTurns();
  const { scratch, runs } = sessionScratch('ai-way-appliance-');

  it('proves its isolation and the read-only model, answers with both files as sources, refuses bad ones, wipes', {
    timeout: 300_000,
  }, async () => {
    const run = startRun(rootful, ['--appliance', 'ai-way', '--model', MODEL, '--hold']);
    runs.push(run);
    const verified = await run.next('verified', 180_000);
    expect(verified.facts.filter((f: { ok: boolean; warning?: boolean }) => !f.ok || f.warning)).toEqual([]);
    expect(verified.facts.find((f: { id: string }) => f.id === 'model')).toMatchObject({ ok: true });
    const smoke = await run.next('smoke', 120_000);
    expect(smoke).toMatchObject({ ok: true, status: 200 });
    expect(smoke.tokens).toBeGreaterThan(0);
    await run.next('ready');

    const lighthouse = 'The lighthouse keeper logs every ship that passes the harbour.';
    writeFileSync(path.join(scratch, 'harbour.md'), `# Harbour notes\n\n${lighthouse}\n`);
    writeFileSync(path.join(scratch, 'ledger.pdf'), tinyPdf(['The ledger counts every ship by its harbour and its cargo.']));
    writeFileSync(path.join(scratch, 'empty.txt'), '');
    writeFileSync(path.join(scratch, 'fake.pdf'), 'this is text, not a PDF');
    for (const name of ['harbour.md', 'ledger.pdf', 'empty.txt', 'fake.pdf']) {
      run.send({ op: 'add', path: path.join(scratch, name) });
      expect(await run.next('uploaded')).toMatchObject({ name });
    }
    const docs = await documentsWhen(run, (d) => d.filter((x) => x.status !== 'indexing').length >= 5);
    const byName = Object.fromEntries(docs.map((d) => [d.name, d]));
    expect(byName['harbour.md']).toMatchObject({ status: 'indexed' });
    expect(byName['ledger.pdf']).toMatchObject({ status: 'indexed' });
    expect(byName['empty.txt']).toMatchObject({ status: 'refused', reason: expect.stringMatching(/empty/i) });
    expect(byName['fake.pdf']).toMatchObject({ status: 'refused', reason: expect.stringMatching(/PDF/) });

    const tokensBefore = run.events.filter((e) => e.type === 'answer-token').length;
    run.send({ op: 'http', method: 'POST', path: '/ask', body: 'Which ship passes the harbour?' });
    const answer = await run.next('answer', 120_000);
    expect(answer.status).toBe(200);
    expect(answer.tokens).toBeGreaterThan(0);
    expect(run.events.filter((e) => e.type === 'answer-token').length).toBeGreaterThan(tokensBefore);
    expect(answer.sources.map((s: { file: string }) => s.file).sort()).toEqual(expect.arrayContaining(['harbour.md', 'ledger.pdf']));

    run.send({ op: 'quit' });
    await run.next('wiped', 30_000);
    expect(await run.exit).toBe(EXIT.ok);
    expect(sessionContainers(rootful, run.child.pid)).toEqual([]);
  });
});
