// The terminal UI's behaviour, apart from drawing: preflight, boot, files, questions, quit and
// wipe, driven through the same Session API as headless mode. Input arrives as raw bytes.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Manifest } from '../../appliance/manifest.ts';
import { makePlan, type Plan, type PlanAppliance, type PlanOptions } from '../../appliance/plan.ts';
import type { HostReport } from '../../platforms/host/report.ts';
import { makeFolders } from '../../platforms/make-folders.ts';
import { loadReport } from '../host-source.ts';
import { loadAppliance } from '../appliance-source.ts';
import { formatBytes } from '../render/doctor.ts';
import { Session } from '../session/session.ts';
import { asFailure, Failure, type FailureCode } from '../../appliance/failures.ts';
import { FileRefused } from '../session/files.ts';
import type { SessionEvent } from '../session/events.ts';
import { readCommand, type Command } from './commands.ts';
import { ESC, InputReader, isBackspace, isEnter, isText, scrollKey, type ScrollKey } from './keys.ts';
import { checkLabel, plainFix } from './labels.ts';
import { scrollRange } from './layout.ts';
import { pastedPaths, pathLike, unbracket } from './paste.ts';
import { bootStage, initialState, Store, type Check } from './state.ts';
import type { Look } from './text.ts';
import { EXIT } from '../exit-codes.ts';

const REVEAL_MS = 60; // checks appear one after another, as they are read
const NOT_YET = 'The appliance is still starting: press Enter again once it is ready.';

export interface UiDeps {
  appliance: string;
  options: PlanOptions;
  /** Ends the program (after the last frame is drawn). */
  exit(code: number): void;
  /** Sends text to the clipboard (OSC 52), for the copy key; whether the terminal took it cannot be known. */
  copy(text: string): void;
  /** What the terminal shows, and its size now (scrolling is measured in it). */
  look(): Look;
}

export class UiController {
  readonly store = new Store(initialState(Date.now()));
  private session: Session | null = null;
  private report: HostReport | null = null;
  private plan: (Plan & { appliance: PlanAppliance }) | null = null;
  private readonly reader = new InputReader(
    (key) => this.onKey(key),
    (text) => this.onPaste(text),
  );
  private quitting: Promise<void> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** What the program exits with once the person quits: an error shown sets it. */
  private exitCode = 0;

  constructor(private readonly deps: UiDeps) {}

  async start(): Promise<void> {
    // A terminal that cannot redraw shows no clock or spinner: a slower tick only brings the stall notice.
    const tick = this.deps.look().plain ? 1000 : 250;
    this.ticker = setInterval(() => this.store.update((s) => ({ boot: { ...s.boot, now: Date.now() } })), tick);
    await this.preflight();
  }

  private async preflight(): Promise<void> {
    this.store.update(() => ({
      screen: 'preflight',
      checksDone: false,
      checks: [{ id: 'probe', label: 'Looking at this computer', status: 'pending', detail: '', fix: null, fixCommand: null }],
    }));
    const [{ report }, spec] = await Promise.all([
      loadReport(undefined),
      loadAppliance(this.deps.appliance).catch((e: unknown) => asFailure(e, 'manifest')),
    ]);
    this.report = report;
    const shown = report.prerequisites.filter((p) => p.status !== 'not-needed' || p.id === 'gpu-driver');
    const checks: Check[] = shown.map((p) => ({
      id: p.id,
      label: checkLabel(p.id),
      status: 'pending',
      detail: '',
      fix: p.status === 'missing' ? plainFix(p) : null,
      fixCommand: p.fixCommand,
      howTo: p.fix,
    }));
    this.store.update(() => ({ checks }));
    for (const [i, p] of shown.entries()) {
      await new Promise((r) => setTimeout(r, REVEAL_MS));
      this.store.update((s) => ({
        checks: s.checks.map((c, j) => (j === i ? { ...c, status: p.status, detail: plainDetail(p.id, p.status, report) } : c)),
      }));
    }
    this.store.update(() => ({ checksDone: true }));
    if (this.quitting) return; // stopped while the checks ran: nothing is started
    if (spec instanceof Failure)
      return this.fail(spec.oneLine(), 'Check the appliance file named above, or run ai-way without --appliance.', '', EXIT.badInput);
    if (report.prerequisites.some((p) => p.required && p.status === 'missing')) return; // r retries, c copies, q quits
    await this.boot(spec);
  }

  private async boot(spec: Manifest): Promise<void> {
    const plan = makePlan(this.report!, this.deps.options, spec);
    if (plan.errors.length || !plan.appliance)
      return this.fail(
        plan.errors.join('; ') || 'no image for this computer',
        'See the details (d) for what this computer offers.',
        '',
        EXIT.prerequisiteMissing,
      );
    if (plan.platform.adapter !== 'linux')
      return this.fail(
        'Starting appliances on this kind of computer is not built into this version yet.',
        'Use a Linux computer for now.',
        '',
        EXIT.notImplemented,
      );
    this.plan = plan as Plan & { appliance: PlanAppliance };
    const now = Date.now();
    this.store.update(() => ({
      screen: 'boot',
      boot: { stage: 'preparing', stageSince: now, startedAt: now, now },
      details: this.describe(),
    }));
    const session = new Session(this.plan, (e) => this.onSessionEvent(e));
    this.session = session;
    const failed = async (err: Failure, why: string) => {
      await session.wipe(why).catch(() => undefined);
      await this.fail(err.message, whatToDo(err.code), err.detail || session.logTail(5), err.exitCode);
    };
    try {
      await session.boot();
      if (this.quitting) return;
      this.store.update((s) => ({
        screen: 'ready',
        boot: { ...s.boot, stage: 'ready', stageSince: Date.now() },
        details: this.describe(),
        notice: s.notice === NOT_YET ? 'Ready: press Enter to send what you typed.' : s.notice,
      }));
      // The appliance going away by itself is shown as an error, not left looking ready.
      void session.lost.then((e) => failed(e, 'the appliance stopped'));
      await this.refreshFiles();
    } catch (e) {
      // Stopped by the person: the wipe ended the boot, which is no failure to show or log.
      if (!this.quitting) await failed(asFailure(e, 'boot'), 'boot failed');
    }
  }

  private onSessionEvent(e: SessionEvent): void {
    const stage = e.type === 'progress' ? bootStage(e.stage) : null;
    if (stage) this.store.update((s) => ({ boot: { ...s.boot, stage, stageSince: Date.now(), now: Date.now() } }));
    if (e.type === 'warning') this.store.update(() => ({ notice: e.message }));
  }

  private async fail(message: string, whatToDo: string, detail: string, exitCode: number): Promise<void> {
    this.exitCode = exitCode;
    let logPath: string | null = null;
    if (this.session || detail) {
      // Kept only when something went wrong: the last lines the appliance wrote, to show someone.
      logPath = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ai-way', 'last-error.log');
      await makeFolders(path.dirname(logPath))
        .then(() => writeFile(logPath!, `${new Date().toISOString()} ${message}\n${detail}\n${this.session?.logTail(200) ?? ''}\n`))
        .catch(() => {
          logPath = null;
        });
    }
    this.store.update(() => ({ screen: 'error', error: { message, whatToDo, detail, logPath } }));
  }

  private async refreshFiles(): Promise<void> {
    if (!this.session) return;
    const l = await this.session.listFiles().catch(() => null);
    if (l) this.store.update(() => ({ files: l.files, freeBytes: l.freeBytes, totalBytes: l.totalBytes }));
  }

  /** Raw terminal input: keys, typed text and bracketed pastes. */
  onInput(data: string): void {
    this.reader.read(data);
  }

  /** A paste is text typed at once, or a drop of files; never an answer to the quit question (it waits at the prompt). */
  private onPaste(text: string): void {
    const s = this.store.get();
    if (s.screen !== 'ready' && s.screen !== 'boot') return;
    const paths = s.screen === 'ready' && !s.confirmQuit ? filePaths(text) : null;
    if (paths) void this.importFiles(paths);
    else this.store.update((st) => ({ input: st.input + text.replace(/[\r\n]+/g, ' '), overlay: null }));
  }

  private onKey(key: string): void {
    const s = this.store.get();
    if (key === '\x03') {
      void this.requestQuit(true);
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
      if (s.input === '') void this.requestQuit(false);
    } // Ctrl-D, as at a shell
    else if (isText(key)) this.store.update((st) => ({ input: st.input + key }));
  }

  /** The quit question takes a whole line: y or yes, then Enter. Esc, or any other answer, goes back. */
  private onQuitAnswerKey(key: string): void {
    const answer = this.store.get().quitAnswer.trim().toLowerCase();
    const back = () => this.store.update(() => ({ confirmQuit: false, quitAnswer: '' }));
    if (key === ESC) back();
    else if (isEnter(key)) {
      if (answer === 'y' || answer === 'yes') void this.quit('you asked to quit');
      else if (answer !== '') back();
    } else if (isBackspace(key)) this.store.update((st) => ({ quitAnswer: Array.from(st.quitAnswer).slice(0, -1).join('') }));
    else if (isText(key)) this.store.update((st) => ({ quitAnswer: st.quitAnswer + key }));
  }

  // No prompt on these screens: their keys are single letters, as the screen says.
  private onErrorKey(key: string): void {
    if (key === 'q' || isEnter(key) || key === ESC || key === '\x04') void this.quit('error');
    else if (key === 'd') this.store.update(() => ({ overlay: 'details' }));
  }

  private onPreflightKey(key: string): void {
    const s = this.store.get();
    if (!s.checksDone) return;
    if (key === 'q' || key === '\x04') void this.quit('quit at the checklist');
    else if (key === 'r') void this.preflight();
    else if (key === 'd') this.store.update(() => ({ overlay: 'details' }));
    else if (key === 'c') {
      const command = s.checks.find((c) => c.status === 'missing' && c.fixCommand)?.fixCommand;
      if (!command) return;
      this.deps.copy(command);
      // OSC 52 gets no answer: many terminals (and tmux, by default) ignore it.
      this.store.update(() => ({ notice: 'Sent the command to the clipboard (if this terminal allows it).' }));
    }
  }

  private scroll(how: ScrollKey): void {
    const s = this.store.get();
    const r = scrollRange(s, this.deps.look());
    if (r.max === 0) return;
    const step = how === 'up' || how === 'down' ? 1 : how === 'top' || how === 'bottom' ? r.max : r.page;
    // The scroll counts from where the view is anchored: its top, or its latest rows.
    const towardTop = how === 'up' || how === 'page up' || how === 'top';
    const by = (s.scroll.view === r.key ? s.scroll.by : 0) + (towardTop === (r.anchor === 'bottom') ? step : -step);
    this.store.update(() => ({ scroll: { view: r.key, by: Math.max(0, Math.min(r.max, by)) } }));
  }

  private runCommand(command: Command): void {
    if (command === 'quit') void this.requestQuit(false);
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
    if (paths) void this.importFiles(paths);
    else void this.ask(text);
  }

  private async importFiles(paths: string[]): Promise<void> {
    for (const p of paths) {
      const name = path.basename(p);
      this.store.update((s) => ({ uploads: [...s.uploads.filter((u) => u.name !== name), { name, sent: 0, total: 0, state: 'sending' }] }));
      const set = (u: Partial<{ sent: number; total: number; state: 'sending' | 'done' | 'refused'; message: string }>) =>
        this.store.update((s) => ({ uploads: s.uploads.map((x) => (x.name === name ? { ...x, ...u } : x)) }));
      try {
        const done = await this.session!.addFile(p, (sent, total) => set({ sent, total }));
        set({ sent: done.size, total: done.size, state: 'done' });
      } catch (e) {
        // The file named once: a refusal names it already.
        set({ state: 'refused', message: e instanceof FileRefused ? e.message : `${name}: ${(e as Error).message}` });
      }
      await this.refreshFiles();
    }
  }

  private async ask(question: string): Promise<void> {
    const ask = this.plan?.appliance.ask;
    const i = this.store.get().exchanges.length;
    const set = (f: (x: { question: string; answer: string; done: boolean; failed?: boolean }) => object) =>
      this.store.update((s) => ({ exchanges: s.exchanges.map((x, j) => (j === i ? { ...x, ...f(x) } : x)) }));
    this.store.update((s) => ({ exchanges: [...s.exchanges, { question, answer: '', done: false }] }));
    if (!ask) {
      set(() => ({ answer: 'This appliance takes no questions.', done: true, failed: true }));
      return;
    }
    try {
      const a = await this.session!.ask('POST', ask, question, 300_000, (chunk) => set((x) => ({ answer: x.answer + chunk })));
      set(() => ({ answer: a.body, done: true, failed: a.status >= 400 }));
    } catch (e) {
      set(() => ({ answer: `No answer: ${(e as Error).message}`, done: true, failed: true }));
    }
  }

  /** /quit, Ctrl-C or Ctrl-D ask first (what was typed stays); a second Ctrl-C quits at once. */
  async requestQuit(ctrlC: boolean): Promise<void> {
    const s = this.store.get();
    if (s.screen === 'erased') return;
    if ((ctrlC && s.confirmQuit) || s.screen === 'wiping') {
      await this.quit('forced');
      return;
    }
    if (s.screen === 'error' || (s.screen === 'preflight' && s.checksDone)) {
      await this.quit('quit');
      return;
    }
    this.store.update(() => ({ confirmQuit: true, quitAnswer: '', overlay: null }));
  }

  /** Wipes and exits; the same for /quit, Ctrl-C, a closed window (SIGHUP) and SIGTERM. */
  quit(reason: string): Promise<void> {
    this.quitting ??= (async () => {
      const t = Date.now();
      const s = this.store.get();
      // Stopped while the appliance was being started: not a failure, and not a success either.
      const early = s.screen === 'boot' || (s.screen === 'preflight' && !s.checksDone);
      if (early) this.exitCode = EXIT.interrupted;
      this.store.update(() => ({ screen: 'wiping', confirmQuit: false, quitAnswer: '', overlay: null }));
      if (this.session) await this.session.wipe(reason).catch(() => undefined);
      this.store.update(() => ({ screen: 'erased', erasedMs: Date.now() - t, stoppedEarly: early }));
      this.store.flush();
      if (this.ticker) clearInterval(this.ticker);
      this.deps.exit(this.exitCode);
    })();
    return this.quitting;
  }

  /** Wipes at once, with nothing more drawn: an unexpected error ends ai-way. */
  async abort(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    if (this.session) await this.session.wipe('an unexpected error').catch(() => undefined);
  }

  private describe(): { label: string; value: string }[] {
    const p = this.plan;
    const r = this.report;
    const v = this.session?.verdict;
    if (!p || !r) return [];
    return [
      { label: 'Platform', value: `${p.platform.adapter}: ${p.platform.reason}` },
      { label: 'Image', value: `${p.image.flavor} ${p.image.arch}: ${p.image.reason}` },
      { label: 'Engine', value: `${p.engine.name}: ${p.engine.reason}` },
      {
        label: 'GPU',
        value: p.gpu.mode === 'none' ? `none (${p.gpu.reason})` : `${p.gpu.devices.map((d) => d.model).join(', ')} (${p.gpu.mode})`,
      },
      {
        label: 'Resources',
        value: [
          `${formatBytes(p.resources.memBytes)} memory`,
          `${p.resources.cpus} cores`,
          `${p.resources.pids} processes`,
          `${formatBytes(p.resources.workspaceBytes)} workspace`,
        ].join(', '),
      },
      ...(v
        ? v.facts.map((f) => ({ label: `${f.warning ? '!' : f.ok ? '+' : '-'} ${f.id}`, value: f.detail }))
        : [{ label: 'Isolation', value: 'not checked yet' }]),
      { label: 'Log', value: 'none is kept; after an error, ~/.cache/ai-way/last-error.log' },
    ];
  }
}

/** The existing files a drop or a typed line names; else, for a line shaped like paths, those paths (to be refused as not found). */
function filePaths(text: string): string[] | null {
  return pastedPaths(text, existsSync, process.platform) ?? pathLike(text, process.platform);
}

function plainDetail(id: string, status: string, r: HostReport): string {
  if (id === 'memory') return r.host.memBytes ? formatBytes(r.host.memBytes) : 'unknown';
  if (id === 'gpu-driver') {
    const g = r.gpus.find((x) => x.usable);
    return g
      ? `${g.model ?? 'a graphics card'} will be used`
      : r.gpus.length
        ? 'not usable: answers come from the processor'
        : 'none: answers come from the processor';
  }
  return status === 'ok' ? 'ready' : status === 'missing' ? 'missing' : status === 'unknown' ? 'could not be checked' : 'not needed';
}

function whatToDo(code: FailureCode): string {
  switch (code) {
    case 'health':
      return 'The app inside did not start in time. Try again; if it happens again, share the log below.';
    case 'isolation':
      return 'The appliance was stopped because it was not sealed off as promised. Share the log below with whoever gave you ai-way.';
    case 'image':
      return "The appliance's files are missing or damaged. Reinstall ai-way.";
    case 'stopped':
      return 'The appliance stopped by itself, and everything was erased. Try again; if it happens again, share the log below.';
    default:
      return 'Try again. If it happens again, share the log below.';
  }
}
