// The real CLI in a real pseudo-terminal (node-pty, 80×24): preflight, boot, a dropped file, a
// question, quit; and a window closed mid-session. Nothing of the session may remain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import { plantedFault } from '../support/planted-fault.ts';
import { rootful, sessionContainers, someoneElsesSession, takeSessionTurns } from '../support/sessions.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/ai-way.mjs');
const podman = spawnSync('podman', ['--version']).error === undefined;
if (!podman) console.warn('SKIPPING terminal UI sessions: podman is not installed (npm run setup installs it)');

/** A person's environment: no CI variables (under them Ink draws only the last frame). */
function personEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(CI|CI_.*|CONTINUOUS_INTEGRATION|BUILD_NUMBER|RUN_ID)$/.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

function terminal(env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const term = pty.spawn(process.execPath, [...nodeArgs, BIN], { name: 'xterm-256color', cols: 80, rows: 24, cwd: os.tmpdir(), env: personEnv(env) });
  let out = '';
  term.onData((d) => { out += d; });
  const exit = new Promise<number>((res) => term.onExit(({ exitCode }) => res(exitCode)));
  const plain = () => out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
  const waitFor = async (text: string | RegExp, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (typeof text === 'string' ? plain().includes(text) : text.test(plain())) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`screen never showed ${text}; it shows:\n${plain().slice(-1500)}`);
  };
  /** Keys sent in one burst arrive as one input: one at a time, as a person types. */
  const type = async (keys: string) => { for (const k of keys) { term.write(k); await new Promise((r) => setTimeout(r, 30)); } };
  return { term, exit, plain, waitFor, type, raw: () => out };
}

/** The containers of this terminal's ai-way (only what the test started: others may run sessions too). */
const leftovers = (t: ReturnType<typeof terminal>) => sessionContainers(rootful, t.term.pid).join(' ');

describe('terminal UI without the sandbox software', () => {
  it('the checklist shows the cross, the fix in plain words and the keys; q quits', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'ai-way-path-')); // a PATH with nothing but node
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const t = terminal({ PATH: bin });
    await t.waitFor('Sandbox software');
    await t.waitFor('r check again · c copy the command · d details · q quit');
    expect(t.plain()).toMatch(/✘ Sandbox software/);
    expect(t.plain()).toContain('Press c to copy the command that installs it');
    await t.type('c');
    await t.waitFor('The command is on the clipboard.');
    expect(t.raw()).toContain(`\x1b]52;c;${Buffer.from('sudo apt-get install -y podman uidmap').toString('base64')}\x07`);
    await t.type('q');
    expect(await t.exit).toBe(0);
    expect(t.plain()).not.toMatch(/\b(WSL|Lima|Podman|container|VM)\b/);
  });
});

describe.skipIf(!podman)('terminal UI', () => {
  takeSessionTurns();
  // Another session runs beside these tests all along; none of them may count it.
  let endSomeoneElses = () => undefined as void;
  beforeAll(() => { endSomeoneElses = someoneElsesSession(rootful); });
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
    await t.type('q');
    await t.waitFor('Quit and erase everything? y / n');
    await t.type('y');
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
    await t.type('?');
    await t.waitFor('Help');
    await t.type('\x1b');
    await t.type('q');
    await t.type('y');
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
    await t.waitFor('Quit and erase everything? y / n');
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
});
