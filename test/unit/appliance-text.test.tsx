// Text that came from the appliance, on a terminal: headless human output and the UI show its
// controls as visible escapes, so an answer, a file name or a log line cannot drive the terminal.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { render } from 'ink-testing-library';
import { terminalText } from '../../launcher/render/terminal-text.ts';
import { renderEvent } from '../../launcher/render/events.ts';
import { failureLine } from '../../launcher/render/failure.ts';
import { Failure, FAILURES } from '../../appliance/failures.ts';
import { styleFor } from '../../launcher/render/style.ts';
import { Screen, type Look } from '../../launcher/ui/screens.tsx';
import { initialState, type UiState } from '../../launcher/ui/state.ts';
import type { SessionEvent } from '../../launcher/session/events.ts';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// Retitles the window, clears the screen, writes the clipboard, returns to the line's start, reverses the text.
const HOSTILE = 'a\x1b]0;owned\x07\x1b[2J\x1b]52;c;b3duZWQ=\x1b\\\r\x9b31m\u202eb\u0000\x7f';
const SHOWN = 'a\\e]0;owned\\x07\\e[2J\\e]52;c;b3duZWQ=\\e\\\\r\\x9b31m\\u202eb\\x00\\x7f';

describe('terminalText', () => {
  it('shows every control as a visible escape and leaves other text alone', () => {
    expect(terminalText(HOSTILE)).toBe(SHOWN);
    expect(terminalText('plain text, ünïcödé, 漢字 and emoji 🙂')).toBe('plain text, ünïcödé, 漢字 and emoji 🙂');
  });

  it('keeps the lines of multi-line text (CRLF as a newline), and only those', () => {
    expect(terminalText('one\r\ntwo\tcol\nthree\rover', true)).toBe('one\ntwo\tcol\nthree\\rover');
    expect(terminalText('one\ntwo')).toBe('one\\ntwo');
  });

  it('never lets a control through, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (s, lines) => {
        const out = terminalText(s, lines);
        expect(UNSAFE.test(lines ? out.replace(/[\n\t]/g, '') : out)).toBe(false);
      }),
    );
  });
});

describe('headless human output', () => {
  const style = styleFor({ isTTY: false }, { LANG: 'C.UTF-8' }, 'linux');
  const events: SessionEvent[] = [
    {
      type: 'answer',
      status: 200,
      body: `line one\n${HOSTILE}\n`,
      sources: [],
      tokens: null,
      tokensPerSecond: null,
      backend: null,
      error: null,
    },
    { type: 'warning', message: `the app exited (code ${HOSTILE}, signal -)` },
    { type: 'uploaded', name: HOSTILE, size: 1, sha256: '0'.repeat(64) },
    { type: 'refused', message: `x: the appliance refused it (name: ${HOSTILE})` },
    {
      type: 'smoke',
      ok: false,
      status: 200,
      ms: 1,
      detail: `got HTTP 200: ${HOSTILE}\n`,
      question: 'q',
      answer: HOSTILE,
      tokens: null,
      tokensPerSecond: null,
    },
    {
      type: 'verified',
      proven: false,
      facts: [{ id: 'network', ok: false, detail: `network interfaces: ${HOSTILE}` }],
      limits: { memory: null, cpu: null, pids: null },
      devices: [],
    },
  ];

  it.each(events.map((e) => [e.type, e] as const))("%s: the appliance's text is shown, its controls are not sent", (_, e) => {
    const out = renderEvent(e, style);
    expect(out).toContain(SHOWN);
    expect(UNSAFE.test(out)).toBe(false);
  });

  it("ready says where the appliance runs: a guest's machine, or this computer's own kernel", () => {
    const guest = { flavor: 'alpine', arch: 'aarch64', kernel: '6.1.0-57-cloud-arm64', accelerator: 'tcg' } as const;
    expect(renderEvent({ type: 'ready', bootMs: 2345, platform: 'qemu', guest }, style)).toBe(
      '  ✔ ready in 2.3 s, in a virtual machine (alpine aarch64, kernel 6.1.0-57-cloud-arm64, tcg)',
    );
    expect(renderEvent({ type: 'ready', bootMs: 345, platform: 'linux', guest: null }, style)).toBe(
      "  ✔ ready in 0.3 s, on this computer's own kernel",
    );
  });

  it("an answer and an error's log keep their lines; one-line texts stay on one line", () => {
    expect(renderEvent(events[0]!, style)).toBe(`line one\n${SHOWN}\n`);
    expect(renderEvent(events[4]!, style)).toBe(`  ✘ smoke check: got HTTP 200: ${SHOWN}\\n (0.0 s)`);
  });

  it("a failure is one line on stderr, the appliance's text shown, its controls not sent", () => {
    const failure = new Failure('stopped', `the appliance stopped unexpectedly (${HOSTILE})`, { detail: `log one\n${HOSTILE}` });
    const line = failureLine(failure, '/x/log');
    expect(line).toContain(SHOWN);
    expect(UNSAFE.test(line)).toBe(false);
    expect(line).toBe(`ai-way: the appliance stopped unexpectedly (${SHOWN}); ${FAILURES.stopped.fix} (details in /x/log)\n`);
  });
});

describe('the UI', () => {
  const look: Look = { color: false, unicode: true, plain: false, width: 200, height: 40 };
  const frame = (s: Partial<UiState>) => render(<Screen s={{ ...initialState(0), ...s }} l={look} />).lastFrame() ?? '';

  it('shows file names, uploads, answers and notices from the appliance with their controls visible', () => {
    const f = frame({
      screen: 'ready',
      files: [{ name: HOSTILE, size: 1 }],
      freeBytes: 1,
      totalBytes: 2,
      uploads: [{ name: 'x.txt', sent: 0, total: 0, state: 'refused', message: `the appliance refused it (${HOSTILE})` }],
      exchanges: [{ question: 'q', answer: `first\n${HOSTILE}`, done: true }],
      notice: `the app exited (code ${HOSTILE}, signal -)`,
    });
    expect(f.split(SHOWN).length - 1).toBe(4);
    expect(UNSAFE.test(f.replace(/\n/g, ''))).toBe(false);
  });

  it("shows an error's message and log tail with their controls visible", () => {
    const f = frame({
      screen: 'error',
      error: { message: `stopped (${HOSTILE})`, whatToDo: 'Try again.', detail: `one\n${HOSTILE}`, logPath: null },
    });
    expect(f).toContain(SHOWN);
    expect(UNSAFE.test(f.replace(/\n/g, ''))).toBe(false);
  });
});
