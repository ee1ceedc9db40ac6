// The conversation with an app that streams: the answer shows as it arrives, then its sources and
// speed; what the app made of each file; the details say how it runs; quitting stops an answer at
// once; and all of it fits a small window. The session is a stand-in fed what the contract says.
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { Screen } from '../../launcher/ui/screens.tsx';
import { sendFiles } from '../../launcher/ui/files-in.ts';
import { initialState, type UiState } from '../../launcher/ui/state.ts';
import type { Look } from '../../launcher/ui/text.ts';
import type { AppStatus } from '../../launcher/session/app-api.ts';
import { uiAt } from '../support/ui-controller.ts';
import { fakeSession } from '../support/fake-session.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));
const SOURCES = `${JSON.stringify({
  type: 'sources',
  sources: [
    { file: 'notes.md', passage: 'The lighthouse on Kestrel Point is painted red and white in bands.\nIt was built in 1871.', score: 2 },
  ],
})}\n`;
const DONE = '{"type":"done","tokens":3,"tokensPerSecond":41.25,"backend":"cpu","ms":73}\n';
const token = (text: string) => `${JSON.stringify({ type: 'token', text })}\n`;

/** The ready screen with a stand-in session, a question typed and sent. */
async function asking(question: string, o: Parameters<typeof fakeSession>[0] = {}) {
  const f = fakeSession(o);
  const t = uiAt({ screen: 'ready' });
  f.attach(t.c);
  t.type(`${question}\r`, true);
  await tick();
  return { f, t };
}

describe('a streamed answer', () => {
  it('shows its text as it arrives, then its sources (file and the start of the passage) and its speed', async () => {
    const { f, t } = await asking('what colour is it?');
    f.send(token('Red'));
    expect(t.shown()).toContain('  Red');
    expect(t.s().exchanges[0]!.done).toBe(false);
    f.send(`${token(' and')}${token(' white.')}${SOURCES}${DONE.slice(0, 20)}`);
    expect(t.shown()).toContain('  Red and white.');
    expect(t.shown()).toContain('  ↳ notes.md: The lighthouse on Kestrel Point is painted red and white in bands…');
    f.send(DONE.slice(20));
    f.end();
    await tick();
    expect(t.shown()).toContain('  3 tokens · 41.3 tokens/s · cpu');
    expect(t.s().exchanges[0]).toMatchObject({ done: true, answer: 'Red and white.' });
  });

  it('lines the app got wrong and its error are said, in the conversation, and the UI goes on', async () => {
    const { f, t } = await asking('q');
    f.send(`${token('Par')}\x1b]0;owned\x07 not json\n{"type":"error","message":"the model ran out of memory"}\n`);
    f.end();
    await tick();
    const shown = t.shown();
    expect(shown).toContain('the app sent a line that is not JSON: "\\u001b]0;owned\\u0007 not json"');
    expect(shown).toContain('The app could not answer: the model ran out of memory');
    expect(shown).not.toContain('\x1b');
    expect(t.s().exchanges[0]).toMatchObject({ done: true, failed: true, answer: 'Par' });
  });

  it("the selftest's plain text answer is text only: no sources, no speed", async () => {
    const { f, t } = await asking('notes', { contentType: 'text/plain' });
    f.send('question: notes\n');
    expect(t.shown()).toContain('  question: notes');
    f.send(`notes: notes.txt (2)\n${DONE}`);
    f.end();
    await tick();
    expect(t.shown()).toMatch(/› notes\n {2}question: notes\n {2}notes: notes\.txt \(2\)\n {2}\{"type":"done"/);
    expect(t.shown()).not.toContain('tokens/s');
  });

  it('quitting while it streams closes its connection at once, before the wipe, and erases as ever', async () => {
    const { f, t } = await asking('a long question');
    f.send(token('Once upon'));
    t.type('/quit\r', true);
    t.type('y\r', true);
    await tick();
    await tick();
    expect(f.log).toEqual(['ask a long question', 'connection closed', 'wipe']);
    expect(t.s().screen).toBe('erased');
    expect(t.exits).toEqual([0]);
  });
});

describe('what the app made of each file, and how it runs', () => {
  it('a file indexed says how many passages; a refused one says why, in red, and the session goes on', async () => {
    const f = fakeSession({
      documents: [
        { name: 'notes.md', status: 'indexed', chunks: 3, reason: null },
        { name: 'scan.pdf', status: 'refused', chunks: null, reason: 'not a PDF: it does not start with %PDF' },
      ],
    });
    const t = uiAt({ screen: 'ready' });
    await sendFiles(f.session as never, t.c.store, ['/tmp/notes.md', '/tmp/scan.pdf']);
    await tick();
    t.c.store.update(() => ({ files: [...t.s().files, { name: 'scan.pdf', size: 4 }] }));
    expect(t.shown()).toMatch(/notes\.md +10 B {2}indexed \(3 passages\)/);
    expect(t.shown()).toContain('✘ refused: not a PDF: it does not start with %PDF');
  });

  const status: AppStatus = {
    model: 'tiny-llama',
    backend: 'cpu',
    warnings: ['the GPU (CUDA) failed to start: no CUDA-capable device; answers come from the processor'],
    lastTokensPerSecond: 41.25,
    threads: 4,
    contextSize: 2048,
    documents: 1,
  };

  it('the details show the model, the backend, the last speed and the warning; the ready screen shows the warning too', () => {
    const { shown } = uiAt({ screen: 'ready', overlay: 'details', details: [{ label: 'Platform', value: 'linux' }], app: status });
    expect(shown()).toMatch(/Model +tiny-llama/);
    expect(shown()).toMatch(/Backend +cpu/);
    expect(shown()).toMatch(/Speed +41\.3 tokens\/s \(the last answer\)/);
    expect(shown()).toMatch(/! Warning +the GPU \(CUDA\) failed to start/);
    const ready = uiAt({ screen: 'ready', app: status }).shown();
    expect(ready).toContain('! the GPU (CUDA) failed to start: no CUDA-capable device; answers come from the\n  processor');
  });

  it('after an answer the status is read again, so the details have the speed of the last one', async () => {
    const { f, t } = await asking('q', { status });
    f.send(`${token('x')}${DONE}`);
    f.end();
    await tick();
    expect(t.s().app?.lastTokensPerSecond).toBe(41.25);
  });
});

describe('a small window', () => {
  const T = 1_000_000;
  const small: Look = { color: false, unicode: false, plain: false, width: 40, height: 12 };
  const state = (s: Partial<UiState>): UiState => ({ ...initialState(T), ...s });
  const sources = Array.from({ length: 7 }, (_, i) => ({ file: `file-${i}.md`, passage: 'a passage\nthat goes on and on', score: i }));
  it.each([
    [
      'a streamed answer with its sources',
      { screen: 'ready', exchanges: [{ question: 'q', answer: 'word '.repeat(60), done: false, sources }] },
    ],
    [
      'a refused file',
      { screen: 'ready', files: [{ name: 'scan.pdf', size: 4 }], docs: { 'scan.pdf': { state: 'refused', text: 'x'.repeat(200) } } },
    ],
    ['the details with the app status', { screen: 'ready', overlay: 'details', details: [{ label: 'a', value: 'b' }], app: null }],
  ] as [string, Partial<UiState>][])('%s: fewer rows than the window, none wider', (_, partial) => {
    const f = render(<Screen s={state(partial)} l={small} />).lastFrame() ?? '';
    const rows = f.split('\n');
    expect(rows.length).toBeLessThan(12);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(40);
  });

  it('the latest rows of a streamed answer are what shows, with its sources and how many more', () => {
    const { shown } = uiAt({ screen: 'ready', exchanges: [{ question: 'q', answer: 'word '.repeat(60), done: true, sources }] }, small);
    expect(shown()).toContain('> file-4.md: a passage that goes on...');
    expect(shown()).toContain('> 2 more');
  });
});
