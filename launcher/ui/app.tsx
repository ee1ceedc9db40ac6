// The terminal UI: Ink draws the state; the controller owns behaviour; raw stdin goes to it.
import { render, renderToString } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { PlanOptions } from '../../appliance/plan.ts';
import { UiController } from './controller.ts';
import { Screen, type Look } from './screens.tsx';
import { terminalLook } from '../render/style.ts';
import { onCrash } from '../crash.ts';

const lookNow = (): Look => ({ ...terminalLook(process.stdout), width: process.stdout.columns || 80, height: process.stdout.rows || 24 });

function App({ controller }: { controller: UiController }) {
  const state = useSyncExternalStore(controller.store.subscribe, controller.store.get);
  const [look, setLook] = useState(lookNow);
  useEffect(() => {
    const onResize = () => setLook(lookNow());
    process.stdout.on('resize', onResize);
    return () => {
      process.stdout.off('resize', onResize);
    };
  }, []);
  return <Screen s={state} l={look} />;
}

/** A terminal that cannot move its cursor gets each changed screen written out whole, one after another. */
function writePlain(controller: UiController): () => void {
  let last = '';
  const draw = () => {
    const look = lookNow();
    const text = renderToString(<Screen s={controller.store.get()} l={look} />, { columns: look.width });
    if (text !== last) process.stdout.write(`${text}\n\n`);
    last = text;
  };
  draw();
  return controller.store.subscribe(draw);
}

export interface UiOptions extends PlanOptions {
  appliance: string;
}

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/** Runs the UI until the person quits (or the window closes); resolves with the exit code. */
export function runUi(o: UiOptions): Promise<number> {
  return new Promise((resolve) => {
    let ink: ReturnType<typeof render> | null = null;
    let stopPlain: (() => void) | null = null;
    const stdin = process.stdin;
    const { plain } = terminalLook(process.stdout);
    const restoreTerminal = () => {
      ink?.unmount();
      stopPlain?.();
      if (!plain) process.stdout.write(BRACKETED_PASTE_OFF);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.off(sig, onSignal);
    };
    // Every option of run reaches the launch as it is (an option listed by hand here was once left out).
    const { appliance, ...options } = o;
    const controller = new UiController({
      appliance,
      options,
      look: lookNow,
      // OSC 52: the terminal puts the text on the clipboard, even over ssh.
      copy: (text) => process.stdout.write(`\x1b]52;c;${Buffer.from(text).toString('base64')}\x07`),
      exit: (code) => {
        setTimeout(() => {
          forgetCrash();
          restoreTerminal();
          resolve(code);
        }, 100);
      },
    });
    // The terminal is given back before the one line that says what went wrong.
    const forgetCrash = onCrash(async () => {
      await controller.abort();
      restoreTerminal();
    });
    const onSignal = (sig: NodeJS.Signals) => {
      void controller.quit(sig === 'SIGHUP' ? 'the window was closed' : sig);
    };
    for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(sig, onSignal);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', (d: string) => controller.onInput(d));
    stdin.on('end', () => void controller.quit('the terminal closed'));
    stdin.resume();
    if (plain) stopPlain = writePlain(controller);
    else {
      process.stdout.write(BRACKETED_PASTE_ON);
      ink = render(<App controller={controller} />, { exitOnCtrlC: false, patchConsole: false });
    }
    void controller.start();
  });
}
