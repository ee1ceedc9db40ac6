// The terminal UI's behaviour, apart from drawing: the checklist, the boot, quit and wipe, driven
// through the same Session API as headless mode. Input arrives as raw bytes (input.ts acts on it).
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Manifest } from '../../appliance/manifest.ts';
import type { Plan, PlanAppliance, PlanOptions } from '../../appliance/plan.ts';
import type { HostReport } from '../../platforms/host/report.ts';
import { makeFolders } from '../../platforms/make-folders.ts';
import { Launch } from '../session/launch.ts';
import type { Session } from '../session/session.ts';
import { asFailure, Failure, type FailureCode } from '../../appliance/failures.ts';
import type { SessionEvent } from '../session/events.ts';
import { LOOKING, revealChecks } from './checklist.ts';
import { planDetails } from './details.ts';
import { refreshFiles, sendFiles } from './files-in.ts';
import { NOT_YET, UiInput } from './input.ts';
import { askApp } from './questions.ts';
import { bootStage, initialState, Store } from './state.ts';
import type { Look } from './text.ts';
import { EXIT } from '../exit-codes.ts';

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
  private readonly input = new UiInput(this.store, {
    look: () => this.deps.look(),
    copy: (text) => this.deps.copy(text),
    requestQuit: (ctrlC) => this.requestQuit(ctrlC),
    quit: (reason) => this.quit(reason),
    recheck: () => void this.preflight(),
    sendFiles: (paths) => void sendFiles(this.session, this.store, paths),
    ask: (question) => void this.ask(question),
  });
  /** The answers streaming now: quitting stops them at once (their connections are closed) before the wipe. */
  private readonly answering = new Set<AbortController>();
  private quitting: Promise<void> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** What the program exits with once the person quits: an error shown sets it. */
  private exitCode = 0;

  private readonly launch: Launch;

  constructor(private readonly deps: UiDeps) {
    this.launch = new Launch(deps.appliance, deps.options);
  }

  async start(): Promise<void> {
    // A terminal that cannot redraw shows no clock or spinner: a slower tick only brings the stall notice.
    const tick = this.deps.look().plain ? 1000 : 250;
    this.ticker = setInterval(() => this.store.update((s) => ({ boot: { ...s.boot, now: Date.now() } })), tick);
    await this.preflight();
  }

  private async preflight(): Promise<void> {
    this.store.update(() => ({ screen: 'preflight', checksDone: false, checks: [LOOKING] }));
    const { report, spec } = await this.launch.examine();
    this.report = report;
    await revealChecks(this.store, report);
    if (this.quitting) return; // stopped while the checks ran: nothing is started
    if (spec instanceof Failure)
      return this.fail(spec.oneLine(), 'Check the appliance file named above, or run ai-way without --appliance.', '', EXIT.badInput);
    if (report.prerequisites.some((p) => p.required && p.status === 'missing')) return; // r retries, c copies, q quits
    await this.boot(spec);
  }

  private async boot(spec: Manifest): Promise<void> {
    let plan: Plan & { appliance: PlanAppliance };
    try {
      plan = this.launch.plan(this.report!, spec);
    } catch (e) {
      // The Plan's own fix says what to do (another --arch, --platform, a GPU option); the details show the rest.
      const f = asFailure(e, 'prerequisite');
      const fix = f.fix ? `${f.fix.charAt(0).toUpperCase()}${f.fix.slice(1)}. ` : '';
      return this.fail(f.message, `${fix}See the details (d) for what this computer offers.`, '', f.exitCode);
    }
    this.plan = plan;
    const now = Date.now();
    this.store.update(() => ({
      screen: 'boot',
      boot: { stage: 'preparing', stageSince: now, startedAt: now, now },
      details: planDetails(plan, null),
    }));
    const session = await this.launch.session(plan, this.report!, (e) => this.onSessionEvent(e));
    if (this.quitting) return; // stopped while its adapter loaded: nothing was started
    this.session = session;
    const failed = async (err: Failure, why: string) => {
      await session.wipe(why).catch(() => undefined);
      const message =
        err.code === 'unsupported' ? 'Starting appliances on this kind of computer is not built into this version yet.' : err.message;
      await this.fail(message, whatToDo(err.code), err.detail || session.logTail(5), err.exitCode);
    };
    try {
      await session.boot();
      if (this.quitting) return;
      this.store.update((s) => ({
        screen: 'ready',
        boot: { ...s.boot, stage: 'ready', stageSince: Date.now() },
        details: planDetails(plan, session.verdict),
        notice: s.notice === NOT_YET ? 'Ready: press Enter to send what you typed.' : s.notice,
      }));
      // The appliance going away by itself is shown as an error, not left looking ready.
      void session.lost.then((e) => failed(e, 'the appliance stopped'));
      await refreshFiles(session, this.store);
      const status = await session.appStatus().catch(() => null);
      if (status) this.store.update(() => ({ app: status }));
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

  private async ask(question: string): Promise<void> {
    const stop = new AbortController();
    this.answering.add(stop);
    try {
      await askApp(this.session!, this.plan?.appliance.ask, this.store, question, stop.signal);
    } finally {
      this.answering.delete(stop);
    }
  }

  /** Raw terminal input: keys, typed text and bracketed pastes. */
  onInput(data: string): void {
    this.input.read(data);
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
      for (const answer of this.answering) answer.abort();
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
    case 'unsupported':
      return 'Use a Linux computer for now.';
    default:
      return 'Try again. If it happens again, share the log below.';
  }
}
