// The ai-way app on the host, as its bundle runs in the appliance, with a generated tiny model:
// documents arrive as the agent writes them, questions stream their answer and cite the files,
// what cannot be read is refused in one sentence, and a closed connection stops generation.
// Plumbing only: the model's weights are random, its words mean nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DocumentEntry } from '../../images/ai-way/app/src/documents/library.ts';
import { type AnswerEvent, decodeLines } from '../../images/ai-way/app/src/ndjson.ts';
import { appMissing, drop, getJson, http10, type RunningApp, startTestApp, until } from '../support/ai-way-app.ts';
import { tinyPdf } from '../support/pdf.ts';

const why = appMissing();
if (why) console.warn(`SKIPPING the ai-way app tests: ${why}`);

type Documents = { documents: DocumentEntry[] };
const events = (body: string): AnswerEvent[] => decodeLines(`${body}\n`).events;

describe.skipIf(why !== null)('ai-way app', () => {
  let app: RunningApp;
  // A second app that would generate for minutes, to be stopped by closing the connection.
  let long: RunningApp;

  beforeAll(async () => {
    [app, long] = await Promise.all([
      startTestApp({ AIWAY_MAX_TOKENS: '24', AIWAY_MAX_DOCUMENT_BYTES: String(1024 * 1024) }),
      startTestApp({ AIWAY_MAX_TOKENS: '1500' }),
    ]);
    for (const a of [app, long])
      await until(
        () => http10(a.port, 'GET', '/health'),
        (r) => r.status === 200,
      );
  });

  afterAll(async () => {
    for (const a of [app, long]) {
      await a?.stop();
      if (a) rmSync(a.workspace, { recursive: true, force: true });
    }
  });

  it('says what it runs: model, backend, threads, context size', async () => {
    const status = await getJson<any>(app.port, '/status');
    expect(status).toMatchObject({ backend: 'cpu', warnings: [], contextSize: 2048, lastTokensPerSecond: null, documents: 0 });
    expect(status.model).toMatchObject({ architecture: 'llama', bytes: expect.any(Number) });
    expect(status.threads).toBeGreaterThanOrEqual(1);
    expect((await http10(app.port, 'GET', '/nowhere')).status).toBe(404);
    expect((await http10(app.port, 'GET', '/ask')).status).toBe(405);
  });

  it('indexes a Markdown file and a PDF as they arrive, and answers citing both, token by token', async () => {
    drop(app.workspace, 'notes.md', '# Zebra notes\n\nThe zebra project code is 4242. Meetings are on Tuesdays.\n');
    drop(app.workspace, 'budget.pdf', tinyPdf(['Zebra project budget: 9000 euros.', 'Approved by the zebra board.']));
    const { documents } = await until(
      () => getJson<Documents>(app.port, '/documents'),
      (d) => d.documents.filter((x) => x.status === 'indexed').length === 2,
    );
    expect(documents.map((d) => d.name)).toEqual(['budget.pdf', 'notes.md']);
    expect(documents.every((d) => d.chunks === 1)).toBe(true);

    const r = await http10(app.port, 'POST', '/ask', 'What are the zebra project code and budget?');
    expect(r.status).toBe(200);
    expect(r.headers).toMatch(/content-type: application\/x-ndjson/i);
    expect(r.headers).toMatch(/connection: close/i);
    const lines = events(r.body);
    const sources = lines.find((e) => e.type === 'sources');
    expect(sources?.type === 'sources' && sources.sources.map((s) => s.file).sort()).toEqual(['budget.pdf', 'notes.md']);
    expect(sources?.type === 'sources' && sources.sources.find((s) => s.file === 'budget.pdf')?.passage).toMatch(/9000 euros/);
    const tokens = lines.filter((e) => e.type === 'token');
    const done = lines.at(-1);
    expect(done).toMatchObject({ type: 'done', backend: 'cpu', tokens: expect.any(Number), ms: expect.any(Number) });
    expect(done?.type === 'done' && done.tokens).toBeGreaterThan(0);
    // The cap holds to within one character: node-llama-cpp finishes a UTF-8 character begun in byte tokens (at most 4).
    expect(done?.type === 'done' && done.tokens).toBeLessThanOrEqual(24 + 3);
    expect(tokens.length).toBeGreaterThan(1);
    // Streamed: the answer came in pieces over time, not in one write at the end.
    expect(r.arrivals.length).toBeGreaterThan(2);
    expect((await getJson<any>(app.port, '/status')).lastTokensPerSecond).toBeGreaterThan(0);
  });

  it('refuses what it cannot read in one sentence, and lives on', async () => {
    drop(app.workspace, 'empty.txt', '');
    drop(app.workspace, 'fake.pdf', 'this is not a PDF at all');
    drop(app.workspace, 'blob.bin', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10]));
    drop(app.workspace, 'photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    drop(app.workspace, 'big.txt', 'x'.repeat(2 * 1024 * 1024));
    const refused = (d: Documents) => d.documents.filter((x) => x.status === 'refused');
    const { documents } = await until(
      () => getJson<Documents>(app.port, '/documents'),
      (d) => refused(d).length === 5,
    );
    const reasons = Object.fromEntries(documents.filter((d) => d.status === 'refused').map((d) => [d.name, d.reason]));
    expect(reasons).toEqual({
      'big.txt': 'too large: 2 MiB, the app reads documents of up to 1 MiB',
      'blob.bin': expect.stringMatching(/^binary file \(it contains NUL bytes\)/),
      'empty.txt': 'empty file',
      'fake.pdf': 'not a PDF: it does not start with %PDF-',
      'photo.png': expect.stringMatching(/^binary file: a PNG image/),
    });
    expect((await http10(app.port, 'GET', '/health')).status).toBe(200);
    expect((await getJson<any>(app.port, '/status')).documents).toBe(2);
  });

  it('forgets a file that leaves the workspace', async () => {
    unlinkSync(path.join(app.workspace, 'notes.md'));
    await until(
      () => getJson<Documents>(app.port, '/documents'),
      (d) => !d.documents.some((x) => x.name === 'notes.md'),
    );
    const lines = events((await http10(app.port, 'POST', '/ask', 'zebra project code')).body);
    const sources = lines.find((e) => e.type === 'sources');
    expect(sources?.type === 'sources' && sources.sources.map((s) => s.file)).toEqual(['budget.pdf']);
  });

  it('answers bad requests with an error line', async () => {
    const empty = await http10(app.port, 'POST', '/ask', '  ');
    expect(empty.status).toBe(400);
    expect(events(empty.body)).toEqual([{ type: 'error', message: 'the question is empty' }]);
  });

  it('with no documents, answers from the model alone, with no sources; closing the connection stops it at once', async () => {
    let closedAt = 0;
    const r = await http10(long.port, 'POST', '/ask', 'Anything at all?', (sock, text) => {
      if (!closedAt && events(text.slice(text.indexOf('\r\n\r\n') + 4).replace(/[^\n]*$/, '')).some((e) => e.type === 'token')) {
        closedAt = performance.now();
        sock.destroy();
      }
    });
    expect(closedAt).toBeGreaterThan(0);
    expect(events(r.body.replace(/[^\n]*$/, ''))[0]).toEqual({ type: 'sources', sources: [] });
    const stopped = await long.waitForLog(/answer stopped after \d+ tokens/, 10_000);
    expect(performance.now() - closedAt).toBeLessThan(5_000);
    expect(Number(stopped.match(/after (\d+) tokens/)![1])).toBeLessThan(1500);
    // The model is free again: the next question is answered.
    const next = await http10(long.port, 'POST', '/ask', 'again', (sock, text) => {
      if (text.includes('"type":"token"')) sock.destroy();
    });
    expect(next.status).toBe(200);
  });
});

describe.skipIf(why !== null)('ai-way app without a usable model', () => {
  it('says so in one line and exits 1, so the launcher sees the app end', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-not-a-model-'));
    const fake = path.join(dir, 'model.gguf');
    writeFileSync(fake, 'this is not a GGUF file\n');
    const app = await startTestApp({ AIWAY_MODEL: fake });
    try {
      const code = await new Promise((r) => (app.child.exitCode !== null ? r(app.child.exitCode) : app.child.once('exit', r)));
      expect(code).toBe(1);
      const failure = app.log.filter((l) => l.includes('could not be loaded'));
      expect(failure).toEqual([expect.stringMatching(new RegExp(`^ai-way-app: the model ${fake} could not be loaded: \\S`))]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(app.workspace, { recursive: true, force: true });
    }
  });
});
