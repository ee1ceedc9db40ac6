// The real CLI in a real pseudo-terminal (node-pty, 80×24): preflight, boot, a dropped file, a
// question, quit; a window closed mid-session; a stop during the boot; a dumb 40×12 terminal.
// Nothing of the session may remain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plantedFault } from '../support/planted-fault.ts';
import { leftovers, podman, terminal } from '../support/pty-terminal.ts';
import { rootful, someoneElsesSession, takeSessionTurns } from '../support/sessions.ts';

describe('terminal UI without the sandbox software', () => {
  it('the checklist shows the cross, the fix in plain words and the keys; q quits', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'ai-way-path-')); // a PATH with nothing but node
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const t = terminal({ PATH: bin });
    await t.waitFor('Sandbox software');
    await t.waitFor('r check again · c copy the command · d details · q quit');
    expect(t.plain()).toMatch(/✘ Sandbox software/);
    expect(t.plain()).toContain('Run the command below in another window (c copies it)');
    expect(t.plain()).toContain('      sudo apt-get install -y podman uidmap'); // shown, whatever the clipboard does
    await t.type('c');
    await t.waitFor('Sent the command to the clipboard (if this terminal allows it).');
    expect(t.plain()).not.toContain('is on the clipboard');
    expect(t.raw()).toContain(`\x1b]52;c;${Buffer.from('sudo apt-get install -y podman uidmap').toString('base64')}\x07`);
    await t.type('q');
    expect(await t.exit).toBe(0);
    expect(t.plain()).not.toMatch(/\b(WSL|Lima|Podman|container|VM)\b/);
  });
});

describe.skipIf(!podman)('terminal UI', () => {
  takeSessionTurns();
  // Another session runs beside these tests all along; none of them may count it.
  let endSomeoneElses: () => void = () => {};
  beforeAll(() => {
    endSomeoneElses = someoneElsesSession(rootful);
  });
  afterAll(() => endSomeoneElses());
  it('preflight → boot → drop a file → ask → q → everything erased', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-ui-'));
    const file = path.join(dir, 'my notes.txt');
    writeFileSync(file, 'Appliances keep notes; notes stay inside.\n');
    const t = terminal();
    await t.waitFor('Getting ready');
    await t.waitFor(/Enough memory/);
    await t.waitFor('Ready. Drop files on this window, or type a question.');
    expect(t.plain()).toMatch(/Starting your private appliance|Ready\./);
    // A drop: GNOME Terminal pastes the quoted path inside a bracketed paste.
    t.term.write(`\x1b[200~'${file}' \x1b[201~`);
    await t.waitFor(/my notes\.txt\s+42 B/);
    await t.type('notes\r');
    await t.waitFor('notes: my notes.txt (2)');
    // Typed words are never keys: q, y, d and ? inside a question neither quit nor open anything.
    await t.type('quarterly numbers? does yesterday count? y\r');
    await t.waitFor('no file in the workspace mentions: quarterly numbers? does yesterday count? y');
    // A path typed or dropped is a file: one that is not there is not found, not a question; a second drop is refused.
    await t.type('/tmp/ai-way-nowhere/x.txt\r');
    await t.waitFor('✘ /tmp/ai-way-nowhere/x.txt: file not found');
    t.term.write(`\x1b[200~'${file}' \x1b[201~`);
    await t.waitFor('✘ my notes.txt: already added');
    expect(t.plain()).not.toMatch(/Quit and erase|Details|mentions: \/tmp/);
    await t.quit();
    await t.waitFor(/Everything was erased \(\d+\.\d s\)\./);
    expect(await t.exit).toBe(0);
    expect(leftovers(t)).toBe('');
    expect(t.plain()).not.toMatch(/\b(WSL|Lima|Podman|container|VM)\b/);
  });

  it('keeps drawing at a sensible rate during a large import, and follows a resize', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-ui-'));
    const big = path.join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(48 * 1024 * 1024, 7));
    const t = terminal();
    await t.waitFor('Ready. Drop files on this window');
    const framesBefore = t.raw().split('\x1b[G').length;
    const started = Date.now();
    t.term.write(`\x1b[200~${big}\x1b[201~`);
    await t.waitFor(/big\.bin\s+48 MiB/, 120_000);
    const seconds = (Date.now() - started) / 1000;
    const frames = t.raw().split('\x1b[G').length - framesBefore;
    console.log(`import of 48 MiB: ${seconds.toFixed(2)} s, ${frames} frames, ${(frames / seconds).toFixed(1)} frames/s`);
    expect(frames / seconds).toBeLessThan(40); // at most 20 state frames a second plus the clock, never a storm
    t.term.resize(60, 20);
    await new Promise((r) => setTimeout(r, 300));
    await t.type('/help\r');
    await t.waitFor('Help');
    await t.type('\x1b');
    await t.quit();
    expect(await t.exit).toBe(0);
  });

  it('closing the window (SIGHUP) mid-session wipes like q', async () => {
    const t = terminal();
    await t.waitFor('Ready. Drop files on this window');
    expect(leftovers(t)).not.toBe('');
    t.term.kill('SIGHUP');
    await t.exit;
    const deadline = Date.now() + 5000;
    while (leftovers(t) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(leftovers(t)).toBe('');
  });

  it('a second Ctrl-C forces the quit', async () => {
    const t = terminal();
    await t.waitFor('Ready. Drop files on this window');
    await t.type('\x03');
    await t.waitFor('Quit and erase everything?');
    await t.type('\x03');
    await t.waitFor('Everything was erased');
    expect(await t.exit).toBe(0);
    expect(leftovers(t)).toBe('');
  });

  it('an uncaught error wipes, gives the terminal back and ends in one line, exit 1', async () => {
    const t = terminal({}, ['--require', plantedFault('exception', 'Ready. Drop files')]);
    await t.waitFor('Ready. Drop files on this window');
    expect(await t.exit).toBe(1);
    expect(t.plain().trimEnd().split('\n').at(-1)).toBe('ai-way: unexpected error: planted fault (run again with --debug for details)');
    expect(t.plain()).not.toMatch(/\n\s+at /);
    expect(t.raw()).toContain('\x1b[?2004l');
    expect(leftovers(t)).toBe('');
  });

  it('an appliance that stops by itself is shown as an error, wiped, and ends with exit 5', async () => {
    const t = terminal();
    await t.waitFor('Ready. Drop files on this window');
    spawnSync('podman', ['kill', leftovers(t)]);
    await t.waitFor('Something went wrong');
    await t.waitFor('the appliance stopped unexpectedly');
    expect(leftovers(t)).toBe('');
    await t.type('q');
    expect(await t.exit).toBe(5);
  });

  it('stopped during a slow boot: the stage really pending, then exit 130, no error log, nothing left', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ai-way-cache-'));
    const t = terminal({ XDG_CACHE_HOME: cache }, [], { args: ['--appliance', slowAppliance()] });
    await t.waitFor('✔ Checking the isolation');
    await t.waitFor(/Still waiting for the app after [6-9] s/, 20_000);
    expect(t.plain()).not.toContain('Still checking');
    await t.type('\x03');
    await t.waitFor('Quit and erase everything?');
    await t.type('\x03');
    await t.waitFor('Stopped before the appliance was ready, as you asked.');
    expect(await t.exit).toBe(130);
    expect(t.plain()).not.toMatch(/Something went wrong|did not become healthy/);
    expect(existsSync(path.join(cache, 'ai-way', 'last-error.log'))).toBe(false);
    expect(leftovers(t)).toBe('');
  });

  it.each(['dumb', 'xterm'])('TERM=%s LANG=C at 40×12: plain ASCII, no scrollback clear, the help scrolls', async (term) => {
    const t = terminal({ TERM: term, LANG: 'C', LC_ALL: '', LC_CTYPE: '' }, [], { cols: 40, rows: 12 });
    await t.waitFor('Ready. Drop files on this window, or');
    await t.type('/help\r');
    await t.waitFor(/Help\r?\n-{40}/);
    await t.waitFor(/lines 1-\d+ of \d+ - Up\/Down PgUp PgDn/);
    t.term.write('\x1b[6~\x1b[6~\x1b[6~'); // a key's sequence arrives whole
    await t.waitFor('Esc       closes this view');
    await t.type('\x1b');
    await t.quit();
    await t.waitFor('Everything was erased');
    expect(await t.exit).toBe(0);
    expect(t.raw()).not.toMatch(/\x1b\[[23]J/); // nothing clears the screen or the scrollback
    expect(t.plain()).toMatch(/^[\x20-\x7e\r\n]*$/); // ASCII: no marks, bars or spinners the locale cannot show
    if (term === 'dumb') expect(t.raw()).not.toContain('\x1b'); // no cursor movement, no colour, nothing but text
    expect(leftovers(t)).toBe('');
  });
});

describe.skipIf(!podman)('terminal UI: the options of run', () => {
  it('takes --platform and --arch as run does: a way that cannot run that architecture is refused on the screen, exit 4', async () => {
    const [other, own] = process.arch === 'arm64' ? ['x86_64', 'aarch64'] : ['aarch64', 'x86_64'];
    const t = terminal({}, [], { args: ['--platform', 'linux', '--arch', other] });
    // The screen wraps the line anywhere between words.
    const words = (text: string) => new RegExp(text.split(' ').join('\\s+'), 'i');
    await t.waitFor(words(`an ${other} appliance runs emulated on this ${own} computer, and the linux way has no virtual machine`));
    await t.waitFor(words('use --platform qemu, or leave out --platform'));
    await t.type('q');
    expect(await t.exit).toBe(4);
    expect(leftovers(t)).toBe('');
  });
});

/** The selftest appliance with an app that never answers its health check, for a boot that stays in "waiting for the app". */
function slowAppliance(): string {
  const selftest = path.resolve(import.meta.dirname, '../../images/selftest');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-slow-'));
  const file = path.join(dir, 'appliance.toml');
  writeFileSync(
    file,
    readFileSync(path.join(selftest, 'appliance.toml'), 'utf8')
      .replaceAll('"oci-archive:../../', `"oci-archive:${path.resolve(selftest, '../..')}/`)
      .replace('path = "/health"', 'path = "/never"')
      .replace('timeout = "10s"', 'timeout = "60s"'),
  );
  return file;
}
