// What each key, paste and typed line does on each screen: at the prompt typed text is only text;
// the checklist and the error screen take the single letters they name; Ctrl-C asks to quit anywhere.
import { existsSync } from 'node:fs';
import { readCommand, type Command } from './commands.ts';
import { filePaths } from './files-in.ts';
import { ESC, InputReader, isBackspace, isEnter, isText, scrollKey, type ScrollKey } from './keys.ts';
import { scrollRange } from './layout.ts';
import { unbracket } from './paste.ts';
import type { Store } from './state.ts';
import type { Look } from './text.ts';

export const NOT_YET = 'The appliance is still starting: press Enter again once it is ready.';

/** What input sets going: the controller's actions, and the terminal's. */
export interface UiActions {
  look(): Look;
  copy(text: string): void;
  requestQuit(ctrlC: boolean): Promise<void>;
  quit(reason: string): Promise<void>;
  /** Looks at this computer again (r at the checklist). */
  recheck(): void;
  sendFiles(paths: string[]): void;
  ask(question: string): void;
}

export class UiInput {
  private readonly reader = new InputReader(
    (key) => this.onKey(key),
    (text) => this.onPaste(text),
  );

  constructor(
    private readonly store: Store,
    private readonly ui: UiActions,
  ) {}

  /** Raw terminal input: keys, typed text and bracketed pastes. */
  read(data: string): void {
    this.reader.read(data);
  }

  /** A paste is text typed at once, or a drop of files; never an answer to the quit question (it waits at the prompt). */
  private onPaste(text: string): void {
    const s = this.store.get();
    if (s.screen !== 'ready' && s.screen !== 'boot') return;
    const paths = s.screen === 'ready' && !s.confirmQuit ? filePaths(text) : null;
    if (paths) this.ui.sendFiles(paths);
    else this.store.update((st) => ({ input: st.input + text.replace(/[\r\n]+/g, ' '), overlay: null }));
  }

  private onKey(key: string): void {
    const s = this.store.get();
    if (key === '\x03') {
      void this.ui.requestQuit(true);
      return;
    }
    if (s.confirmQuit) {
      this.onQuitAnswerKey(key);
      return;
    }
    const scroll = scrollKey(key);
    if (scroll) {
      this.scroll(scroll);
      return;
    }
    const typing = s.screen === 'boot' || s.screen === 'ready';
    if (s.overlay) {
      this.store.update(() => ({ overlay: null }));
      // Esc and Enter close it; at the prompt, what else is typed closes it and is typed there.
      if (key === ESC || isEnter(key) || !typing) return;
    }
    if (typing) this.onPromptKey(key);
    else if (s.screen === 'error') this.onErrorKey(key);
    else if (s.screen === 'preflight') this.onPreflightKey(key);
  }

  /** At the prompt every printable key is text; only Enter, editing keys and Ctrl chords act. */
  private onPromptKey(key: string): void {
    const s = this.store.get();
    if (isEnter(key)) this.submit();
    else if (isBackspace(key)) this.store.update((st) => ({ input: Array.from(st.input).slice(0, -1).join('') }));
    else if (key === '\x15')
      this.store.update(() => ({ input: '' })); // Ctrl-U
    else if (key === '\x04') {
      if (s.input === '') void this.ui.requestQuit(false);
    } // Ctrl-D, as at a shell
    else if (isText(key)) this.store.update((st) => ({ input: st.input + key }));
  }

  /** The quit question takes a whole line: y or yes, then Enter. Esc, or any other answer, goes back. */
  private onQuitAnswerKey(key: string): void {
    const answer = this.store.get().quitAnswer.trim().toLowerCase();
    const back = () => this.store.update(() => ({ confirmQuit: false, quitAnswer: '' }));
    if (key === ESC) back();
    else if (isEnter(key)) {
      if (answer === 'y' || answer === 'yes') void this.ui.quit('you asked to quit');
      else if (answer !== '') back();
    } else if (isBackspace(key)) this.store.update((st) => ({ quitAnswer: Array.from(st.quitAnswer).slice(0, -1).join('') }));
    else if (isText(key)) this.store.update((st) => ({ quitAnswer: st.quitAnswer + key }));
  }

  // No prompt on these screens: their keys are single letters, as the screen says.
  private onErrorKey(key: string): void {
    if (key === 'q' || isEnter(key) || key === ESC || key === '\x04') void this.ui.quit('error');
    else if (key === 'd') this.store.update(() => ({ overlay: 'details' }));
  }

  private onPreflightKey(key: string): void {
    const s = this.store.get();
    if (!s.checksDone) return;
    if (key === 'q' || key === '\x04') void this.ui.quit('quit at the checklist');
    else if (key === 'r') this.ui.recheck();
    else if (key === 'd') this.store.update(() => ({ overlay: 'details' }));
    else if (key === 'c') {
      const command = s.checks.find((c) => c.status === 'missing' && c.fixCommand)?.fixCommand;
      if (!command) return;
      this.ui.copy(command);
      // OSC 52 gets no answer: many terminals (and tmux, by default) ignore it.
      this.store.update(() => ({ notice: 'Sent the command to the clipboard (if this terminal allows it).' }));
    }
  }

  private scroll(how: ScrollKey): void {
    const s = this.store.get();
    const r = scrollRange(s, this.ui.look());
    if (r.max === 0) return;
    const step = how === 'up' || how === 'down' ? 1 : how === 'top' || how === 'bottom' ? r.max : r.page;
    // The scroll counts from where the view is anchored: its top, or its latest rows.
    const towardTop = how === 'up' || how === 'page up' || how === 'top';
    const by = (s.scroll.view === r.key ? s.scroll.by : 0) + (towardTop === (r.anchor === 'bottom') ? step : -step);
    this.store.update(() => ({ scroll: { view: r.key, by: Math.max(0, Math.min(r.max, by)) } }));
  }

  private runCommand(command: Command): void {
    if (command === 'quit') void this.ui.requestQuit(false);
    else this.store.update(() => ({ overlay: command }));
  }

  /** Enter: a command, files (a line of paths), or a question. */
  private submit(): void {
    const s = this.store.get();
    const text = s.input.trim();
    if (!text) return;
    const typed = readCommand(text, existsSync);
    if (typed && 'command' in typed) {
      this.store.update(() => ({ input: '', notice: null }));
      this.runCommand(typed.command);
      return;
    }
    if (typed) {
      this.store.update(() => ({ notice: typed.unknown }));
      return;
    } // kept, to be corrected
    if (s.screen !== 'ready') {
      this.store.update(() => ({ notice: NOT_YET }));
      return;
    }
    this.store.update(() => ({ input: '', notice: null, scroll: { view: '', by: 0 } }));
    const paths = filePaths(unbracket(text).text);
    if (paths) this.ui.sendFiles(paths);
    else this.ui.ask(text);
  }
}
