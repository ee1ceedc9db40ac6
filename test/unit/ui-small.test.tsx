// Small windows and plain terminals: TERM=dumb, LANG=C and 40×12. Every screen fits (a frame that
// fills the window makes the terminal drop its top rows), in ASCII, and views that do not fit scroll.
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { Screen } from '../../launcher/ui/screens.tsx';
import { initialState, type UiState } from '../../launcher/ui/state.ts';
import type { Look } from '../../launcher/ui/text.ts';
import { styleFor, terminalLook } from '../../launcher/render/style.ts';
import { uiAt } from '../support/ui-controller.ts';
import { preflightChecks } from '../support/ui-checks.ts';

const T = 1_000_000;
const state = (s: Partial<UiState>): UiState => ({ ...initialState(T), ...s });
const draw = (s: UiState, l: Look) => render(<Screen s={s} l={l} />).lastFrame() ?? '';

describe('what the terminal can show, decided in one place', () => {
  const tty = { isTTY: true };
  it.each([
    [{ TERM: 'dumb', LANG: 'en_US.UTF-8' }, 'linux', { color: false, unicode: false, plain: true }],
    [{ TERM: 'xterm-256color', LANG: 'C' }, 'linux', { color: true, unicode: false, plain: false }],
    [{ TERM: 'xterm', LANG: 'POSIX' }, 'darwin', { color: true, unicode: false, plain: false }],
    [{ TERM: 'xterm', LANG: 'C', LC_ALL: 'C.UTF-8' }, 'linux', { color: true, unicode: true, plain: false }],
    [{ TERM: 'xterm', LC_CTYPE: 'en_US.utf8', LANG: 'C' }, 'linux', { color: true, unicode: true, plain: false }],
    [{ TERM: 'xterm' }, 'linux', { color: true, unicode: true, plain: false }],
    [{}, 'win32', { color: true, unicode: false, plain: false }],
    [{ WT_SESSION: '1' }, 'win32', { color: true, unicode: true, plain: false }],
    [{ TERM: 'xterm', NO_COLOR: '1', LANG: 'de_DE.UTF-8' }, 'linux', { color: false, unicode: true, plain: false }],
  ] as const)('%j on %s', (env, platform, look) => {
    expect(terminalLook(tty, env, platform)).toEqual(look);
  });

  it("the doctor's marks follow it", () => {
    expect(styleFor(tty, { TERM: 'xterm', LANG: 'C' }, 'linux').ok).toBe('[ok]');
    expect(styleFor(tty, { TERM: 'dumb', LANG: 'C.UTF-8' }, 'linux').ok).toBe('[ok]');
  });
});

const checks = preflightChecks({ virtualization: true });
const talk = Array.from({ length: 6 }, (_, i) => ({
  question: `question ${i}`,
  answer: `answer ${i}, line one\nanswer ${i}, line two\n`,
  done: true,
}));
const details = Array.from({ length: 12 }, (_, i) => ({ label: `fact ${i}`, value: `what fact ${i} says, at length, so that it wraps` }));
const files = Array.from({ length: 9 }, (_, i) => ({ name: `file-${i}.txt`, size: 1000 * i }));
const STATES: [string, Partial<UiState>][] = [
  [
    'checks running',
    { checks: [{ id: 'probe', label: 'Looking at this computer', status: 'pending', detail: '', fix: null, fixCommand: null }] },
  ],
  ['checklist', { checks, checksDone: true, notice: 'Sent the command to the clipboard (if this terminal allows it).' }],
  ['boot', { screen: 'boot', boot: { stage: 'waiting for the app', stageSince: T, startedAt: T - 1000, now: T + 9000 } }],
  [
    'ready',
    {
      screen: 'ready',
      files,
      freeBytes: 6e7,
      totalBytes: 6.7e7,
      uploads: [
        { name: 'big.bin', sent: 1, total: 4, state: 'sending' },
        { name: 'x.txt', sent: 0, total: 0, state: 'refused', message: 'x.txt: already added' },
      ],
      exchanges: talk,
      input: 'a question typed at some length, longer than the window is wide',
    },
  ],
  ['quit question', { screen: 'ready', exchanges: talk, input: 'kept', confirmQuit: true, quitAnswer: 'n' }],
  ['help', { screen: 'ready', overlay: 'help' }],
  ['details', { screen: 'ready', overlay: 'details', details }],
  [
    'error',
    {
      screen: 'error',
      error: {
        message: 'the app did not become healthy within 30 s',
        whatToDo: 'The app inside did not start in time. Try again; if it happens again, share the log below.',
        detail: 'one\ntwo\nthree\nfour',
        logPath: '/home/ann/.cache/ai-way/last-error.log',
      },
    },
  ],
  ['erased', { screen: 'erased', erasedMs: 300, stoppedEarly: true }],
];

describe('TERM=dumb, LANG=C, 40×12', () => {
  const dumb: Look = { ...terminalLook({ isTTY: true }, { TERM: 'dumb', LANG: 'C' }, 'linux'), width: 40, height: 12 };
  const narrow: Look = { ...dumb, plain: false };

  it.each(STATES)('%s: fewer rows than the window, none wider, plain ASCII', (_, partial) => {
    for (const l of [dumb, narrow]) {
      const f = draw(state(partial), l);
      const rows = f.split('\n');
      expect(rows.length).toBeLessThan(12);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(40);
      expect(f).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });

  it('a plain terminal gets no spinner and no clock: the screen only changes when something happens', () => {
    const at = (now: number) => draw(state({ screen: 'boot', boot: { stage: 'starting', stageSince: T, startedAt: T, now } }), dumb);
    expect(at(T + 100)).toBe(at(T + 300));
    expect(at(T + 100)).toContain('* Starting');
  });

  it('an overlay too tall for the window keeps its top, says there is more, and scrolls to its end and back', () => {
    const { c, s } = uiAt({ screen: 'ready' }, narrow);
    const shown = () => draw(s(), narrow);
    c.onInput('/help\r');
    expect(shown().split('\n')[0]).toBe('Help');
    expect(shown()).toMatch(/lines 1-\d+ of \d+ - Up\/Down PgUp PgDn/);
    expect(shown()).not.toContain('closes this view');
    c.onInput('\x1b[B');
    expect(shown()).toMatch(/lines 2-/);
    c.onInput('\x1b[6~\x1b[6~\x1b[6~\x1b[6~');
    expect(shown()).toContain('Esc       closes this view');
    expect(shown().split('\n')[0]).toBe('Help');
    c.onInput('\x1b[H');
    expect(shown()).toMatch(/lines 1-/);
  });

  it('a conversation longer than the window shows its latest rows; Up goes back to earlier ones', () => {
    const { c, s } = uiAt({ screen: 'ready', exchanges: talk }, narrow);
    const shown = () => draw(s(), narrow);
    expect(shown()).toContain('answer 5, line two');
    expect(shown()).not.toContain('question 0');
    for (let i = 0; i < 20; i++) c.onInput('\x1b[A');
    expect(shown()).toContain('question 0');
    expect(shown()).not.toContain('answer 5, line two');
  });
});
