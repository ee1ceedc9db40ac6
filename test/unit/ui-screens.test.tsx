// The UI's screens, rendered by ink-testing-library from states like those a session produces.
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { Screen, type Look } from '../../launcher/ui/screens.tsx';
import { bar } from '../../launcher/ui/text.ts';
import { bootStage, initialState, type UiState } from '../../launcher/ui/state.ts';
import { plainWords } from '../../launcher/ui/labels.ts';
import type { Stage } from '../../launcher/session/events.ts';
import { preflightChecks } from '../support/ui-checks.ts';

const look: Look = { color: false, unicode: true, plain: false, width: 80, height: 24 };
const ascii: Look = { ...look, unicode: false };
const T = 1_000_000;
const state = (s: Partial<UiState>): UiState => ({ ...initialState(T), ...s });
const frame = (s: UiState, l = look) => render(<Screen s={s} l={l} />).lastFrame() ?? '';

const checks = (missing: boolean) => preflightChecks({ missing });

describe('preflight', () => {
  it('ticks, a cross with its fix in plain words, the command itself, and the keys; no virtualization words', () => {
    const f = frame(state({ checks: checks(true), checksDone: true }));
    expect(f).toContain('✔ Enough memory');
    expect(f).toContain('✘ Sandbox software');
    expect(f).toContain('Run the command below in another window (c copies it)');
    expect(f).toMatch(/\n {6}sudo apt-get install -y podman uidmap\n/); // on screen, as it must be typed, whatever the clipboard did
    expect(f).toContain('r check again · c copy the command · d details · q quit');
    expect(plainWords(f.replace('sudo apt-get install -y podman uidmap', ''))).toBe(true); // the prose; the command is what it is
  });

  it('the details list each check with the command that fixes it', () => {
    const f = frame(state({ checks: checks(true), checksDone: true, overlay: 'details' }));
    expect(f).toMatch(/Sandbox software\s+missing/);
    expect(f).toMatch(/command\s+sudo apt-get install -y podman uidmap/);
  });

  it('pending checks spin', () => {
    const f = frame(
      state({ checks: [{ id: 'probe', label: 'Looking at this computer', status: 'pending', detail: '', fix: null, fixCommand: null }] }),
    );
    expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Looking at this computer/);
  });
});

describe('boot', () => {
  it('names the stages, shows progress and time, and says when a stage stalls', () => {
    const s = state({ screen: 'boot', boot: { stage: 'starting', stageSince: T, startedAt: T - 1000, now: T + 6500 } });
    const f = frame(s);
    expect(f).toContain('✔ Preparing');
    expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Starting/);
    expect(f).toContain('7.5 s');
    expect(f).toContain('Still starting after 7 s');
    expect(plainWords(f)).toBe(true);
  });

  it('every stage the session reports is one the screen shows: waiting for the app, once the isolation is proven', () => {
    const stages: Stage[] = ['preparing', 'starting', 'checking isolation', 'waiting for the app'];
    expect(stages.map(bootStage)).toEqual(stages);
    const boot = { stage: bootStage('waiting for the app')!, stageSince: T, startedAt: T - 1000, now: T + 6200 };
    const f = frame(state({ screen: 'boot', boot }));
    expect(f).toContain('✔ Checking the isolation');
    expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the app/);
    expect(f).toContain('Still waiting for the app after 6 s');
    expect(bootStage('wiping')).toBeNull();
  });
});

describe('ready', () => {
  const s = state({
    screen: 'ready',
    files: [{ name: 'notes.txt', size: 46 }],
    freeBytes: 67108818,
    totalBytes: 67108864,
    uploads: [
      { name: 'big.bin', sent: 5, total: 10, state: 'sending' },
      { name: 'link.txt', sent: 0, total: 0, state: 'refused', message: 'link.txt: only regular files can be added' },
    ],
    exchanges: [{ question: 'notes', answer: 'question: notes\nnotes: notes.txt (2)\n', done: true }],
    input: 'what is',
  });
  it('lists files with sizes and free space, uploads with progress, the answer and the input line', () => {
    const f = frame(s);
    expect(f).toContain('Files (1 · 64 MiB free)');
    expect(f).toMatch(/notes\.txt\s+46 B/);
    expect(f).toContain('big.bin');
    expect(f).toContain('50%');
    expect(f).toContain('✘ link.txt: only regular files can be added');
    expect(f).toContain('notes: notes.txt (2)');
    expect(f).toContain('› what is');
    expect(f).toContain('/help · /details · /quit or Ctrl-C quits');
    expect(plainWords(f)).toBe(true);
  });

  it('fits 80×24 and narrower windows', () => {
    for (const width of [80, 50]) {
      const lines = frame(s, { ...look, width }).split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('falls back to ASCII where glyphs are not safe', () => {
    const f = frame(s, ascii);
    expect(f).not.toMatch(/[✔✘█░›⠋]/);
    expect(f).toContain('> what is');
    expect(bar(0.5, 10, ascii)).toBe('#####.....');
  });
});

describe('the end', () => {
  it('asks before quitting, keeping what was typed, then says everything was erased and how long it took', () => {
    const f = frame(state({ screen: 'ready', confirmQuit: true, input: 'quarterly numbers', quitAnswer: 'y' }));
    expect(f).toContain('› quarterly numbers');
    expect(f).toContain('Quit and erase everything? Type y or n, then Enter: y');
    expect(frame(state({ screen: 'erased', erasedMs: 163 }))).toBe('Everything was erased (0.2 s).');
  });

  it('stopped during the boot, it says so', () => {
    expect(frame(state({ screen: 'erased', erasedMs: 163, stoppedEarly: true }))).toBe(
      'Stopped before the appliance was ready, as you asked.\nEverything was erased (0.2 s).',
    );
  });

  it('an error screen says what happened, what to do and where the log is', () => {
    const f = frame(
      state({
        screen: 'error',
        error: {
          message: 'the app did not become healthy within 10 s',
          whatToDo: 'Try again.',
          detail: 'HTTP 503',
          logPath: '/home/a/.cache/ai-way/last-error.log',
        },
      }),
    );
    expect(f).toContain('Something went wrong');
    expect(f).toContain('Try again.');
    expect(f).toContain('Log: /home/a/.cache/ai-way/last-error.log');
  });
});
