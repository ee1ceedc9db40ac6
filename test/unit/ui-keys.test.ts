// The UI's keys, through the controller as a terminal feeds it (raw bytes), without a session:
// typed text is never a shortcut; commands are whole lines; the quit question takes a whole answer.
import { describe, expect, it } from 'vitest';
import type { UiState } from '../../launcher/ui/state.ts';
import { EXIT } from '../../launcher/exit-codes.ts';
import { uiAt } from '../support/ui-controller.ts';

const ui = (state: Partial<UiState> = { screen: 'ready' }) => uiAt(state);

const QUESTIONS = ['quarterly numbers? yes, by quarter', 'does quitting erase it? y', '? cry, dry, query', 'q', 'y', 'd', '?'];

describe('typed text is never a shortcut', () => {
  const cases = QUESTIONS.flatMap(
    (q) =>
      [
        [q, false],
        [q, true],
      ] as const,
  );
  it.each(cases)('"%s" (burst: %s) is a question: nothing opens, nothing quits', (question, burst) => {
    const t = ui();
    t.type(`${question}\r`, burst);
    expect(t.s().confirmQuit).toBe(false);
    expect(t.s().overlay).toBeNull();
    expect(t.s().screen).toBe('ready');
    expect(t.exits).toEqual([]);
    expect(t.s().exchanges.map((x) => x.question)).toEqual([question]);
  });

  it('during the boot, typing is kept for later, never a key', () => {
    const t = ui({ screen: 'boot' });
    t.type('does q mean quit? y\r');
    expect([t.s().confirmQuit, t.s().overlay, t.exits]).toEqual([false, null, []]);
    expect(t.s().input).toBe('does q mean quit? y');
    expect(t.s().notice).toBe('The appliance is still starting: press Enter again once it is ready.');
  });

  it('commands are whole lines: /help, /details, /quit; an unknown one says what was meant', () => {
    const t = ui();
    t.type('/help\r');
    expect(t.s().overlay).toBe('help');
    t.type('\x1b');
    expect(t.s().overlay).toBeNull();
    t.type('/details\r');
    expect(t.s().overlay).toBe('details');
    t.type('w'); // typing closes a view and goes on at the prompt
    expect([t.s().overlay, t.s().input]).toEqual([null, 'w']);
    t.type('\x15/hepl\r');
    expect(t.s().notice).toBe('There is no command /hepl. Did you mean /help?');
    expect(t.s().input).toBe('/hepl'); // kept, to be corrected
    t.type('\x15/nothing\r');
    expect(t.s().notice).toBe('/nothing: no such command or file. The commands: /help, /details, /quit.');
    t.type('\x15/QUIT\r');
    expect(t.s().confirmQuit).toBe(true);
  });
});

describe('the quit question', () => {
  it('opens on Ctrl-C keeping what was typed; a letter is no answer until Enter, and a word is not y', () => {
    const t = ui();
    t.type('half a question');
    t.type('\x03');
    expect(t.s().confirmQuit).toBe(true);
    expect(t.shown()).toContain('› half a question');
    t.type('yesterday');
    expect(t.exits).toEqual([]);
    t.type('\r');
    expect([t.s().confirmQuit, t.s().input, t.exits]).toEqual([false, 'half a question', []]);
    t.type('\x03n\r');
    expect([t.s().confirmQuit, t.s().input]).toEqual([false, 'half a question']);
    t.type('\x03\x1b');
    expect(t.s().confirmQuit).toBe(false);
  });

  it('a paste is never an answer; y and Enter is', async () => {
    const t = ui();
    t.type('\x03');
    t.type('\x1b[200~y\r\x1b[201~', true);
    expect([t.s().confirmQuit, t.s().quitAnswer, t.s().input, t.exits]).toEqual([true, '', 'y ', []]); // kept at the prompt
    t.type('\r'); // Enter on nothing: still asking
    expect(t.s().confirmQuit).toBe(true);
    t.type('y\r');
    await t.c.quit('');
    expect(t.exits).toEqual([EXIT.ok]);
  });

  it('Ctrl-D on an empty line asks too; on a typed one it does nothing', () => {
    const t = ui();
    t.type('abc\x04');
    expect(t.s().confirmQuit).toBe(false);
    t.type('\x15\x04');
    expect(t.s().confirmQuit).toBe(true);
  });
});

describe('stopping during the boot', () => {
  const ways = [
    ['Ctrl-C twice', '\x03\x03'],
    ['Ctrl-C, then y', '\x03y\r'],
    ['/quit, then yes', '/quit\ryes\r'],
  ];
  it.each(ways)('%s: exit 130, and it says it stopped as asked', async (_, keys) => {
    const t = ui({ screen: 'boot' });
    t.type(keys);
    await t.c.quit('');
    expect(t.exits).toEqual([EXIT.interrupted]);
    expect(t.s().screen).toBe('erased');
    expect(t.shown()).toMatch(/^Stopped before the appliance was ready, as you asked\.\nEverything was erased \(\d+\.\d s\)\.$/);
  });

  it('once ready, quitting is a success: exit 0', async () => {
    const t = ui();
    t.type('\x03\x03');
    await t.c.quit('');
    expect(t.exits).toEqual([EXIT.ok]);
    expect(t.shown()).not.toContain('Stopped');
  });
});

describe('the checklist', () => {
  const checks: UiState['checks'] = [
    {
      id: 'podman',
      label: 'Sandbox software',
      status: 'missing',
      detail: 'missing',
      fix: 'Run the command below.',
      fixCommand: 'sudo apt-get install -y podman uidmap',
      howTo: 'Install Podman:',
    },
  ];

  it('c sends the command to the clipboard and says only that it was sent; the command stays on screen', () => {
    const t = ui({ screen: 'preflight', checksDone: true, checks });
    t.type('c');
    expect(t.copied).toEqual(['sudo apt-get install -y podman uidmap']);
    expect(t.s().notice).toBe('Sent the command to the clipboard (if this terminal allows it).');
    expect(t.shown()).not.toMatch(/is on the clipboard|copied/i);
    expect(t.shown()).toContain('      sudo apt-get install -y podman uidmap');
  });
});

describe('paths', () => {
  it('a typed path that does not exist is a file to add (and be refused), not a question', () => {
    const t = ui();
    t.type('/tmp/ai-way-no-such-dir/x.txt\r');
    expect(t.s().exchanges).toEqual([]);
    expect(t.s().uploads.map((u) => u.name)).toEqual(['x.txt']);
  });

  it('a question that mentions a path is a question', () => {
    const t = ui();
    t.type('what is in /tmp/ai-way-no-such-dir/x.txt?\r');
    expect(t.s().exchanges.map((x) => x.question)).toEqual(['what is in /tmp/ai-way-no-such-dir/x.txt?']);
    expect(t.s().uploads).toEqual([]);
  });
});
