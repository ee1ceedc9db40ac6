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
import type { SessionEvent, Stage } from '../session/events.ts';
import { checkLabel, plainFix } from './labels.ts';
import { pastedPaths, unbracket } from './paste.ts';
import { initialState, Store, type BootStage, type Check } from './state.ts';
import { EXIT } from '../exit-codes.ts';

const STAGE: Partial<Record<Stage, BootStage>> = { preparing: 'preparing', starting: 'starting', 'checking isolation': 'checking isolation' };
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
const REVEAL_MS = 60; // checks appear one after another, as they are read

export interface UiDeps {
  appliance: string;
  options: PlanOptions;
  /** Ends the program (after the last frame is drawn). */
  exit(code: number): void;
  /** Puts text on the clipboard (OSC 52), for the copy key. */
  copy(text: string): void;
}

export class UiController {
  readonly store = new Store(initialState(Date.now()));
  private session: Session | null = null;
  private report: HostReport | null = null;
  private plan: (Plan & { appliance: PlanAppliance }) | null = null;
  private paste: string | null = null;
  private quitting: Promise<void> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** What the program exits with once the person quits: an error shown sets it. */
  private exitCode = 0;

  constructor(private readonly deps: UiDeps) {}

  async start(): Promise<void> {
    this.ticker = setInterval(() => this.store.update((s) => ({ boot: { ...s.boot, now: Date.now() } })), 250);
    await this.preflight();
  }

  private async preflight(): Promise<void> {
    this.store.update(() => ({ screen: 'preflight', checksDone: false, checks: [{ id: 'probe', label: 'Looking at this computer', status: 'pending', detail: '', fix: null, fixCommand: null }] }));
    const [{ report }, spec] = await Promise.all([loadReport(undefined), loadAppliance(this.deps.appliance).catch((e: unknown) => asFailure(e, 'manifest'))]);
    this.report = report;
    const shown = report.prerequisites.filter((p) => p.status !== 'not-needed' || p.id === 'gpu-driver');
    const checks: Check[] = shown.map((p) => ({ id: p.id, label: checkLabel(p.id), status: 'pending', detail: '',
      fix: p.status === 'missing' ? plainFix(p) : null, fixCommand: p.fixCommand }));
    this.store.update(() => ({ checks }));
    for (const [i, p] of shown.entries()) {
      await new Promise((r) => setTimeout(r, REVEAL_MS));
      this.store.update((s) => ({ checks: s.checks.map((c, j) => (j === i ? { ...c, status: p.status, detail: plainDetail(p.id, p.status, report) } : c)) }));
    }
    this.store.update(() => ({ checksDone: true }));
    if (spec instanceof Failure) return this.fail(spec.oneLine(), 'Check the appliance file named above, or run ai-way without --appliance.', '', EXIT.badInput);
    if (report.prerequisites.some((p) => p.required && p.status === 'missing')) return; // r retries, c copies, q quits
    await this.boot(spec);
  }

  private async boot(spec: Manifest): Promise<void> {
    const plan = makePlan(this.report!, this.deps.options, spec);
    if (plan.errors.length || !plan.appliance) return this.fail(plan.errors.join('; ') || 'no image for this computer', 'See the details (d) for what this computer offers.', '', EXIT.prerequisiteMissing);
    if (plan.platform.adapter !== 'linux') return this.fail('Starting appliances on this kind of computer is not built into this version yet.', 'Use a Linux computer for now.', '', EXIT.notImplemented);
    this.plan = plan as Plan & { appliance: PlanAppliance };
    const now = Date.now();
    this.store.update(() => ({ screen: 'boot', boot: { stage: 'preparing', stageSince: now, startedAt: now, now }, details: this.describe() }));
    const session = new Session(this.plan, (e) => this.onSessionEvent(e));
    this.session = session;
    const failed = async (err: Failure, why: string) => {
      await session.wipe(why).catch(() => undefined);
      await this.fail(err.message, whatToDo(err.code), err.detail || session.logTail(5), err.exitCode);
    };
    try {
      await session.boot();
      this.store.update((s) => ({ screen: 'ready', boot: { ...s.boot, stage: 'ready', stageSince: Date.now() }, details: this.describe() }));
      // The appliance going away by itself is shown as an error, not left looking ready.
      void session.lost.then((e) => failed(e, 'the appliance stopped'));
      await this.refreshFiles();
    } catch (e) {
      await failed(asFailure(e, 'boot'), 'boot failed');
    }
  }

  private onSessionEvent(e: SessionEvent): void {
    if (e.type === 'progress' && STAGE[e.stage]) this.store.update((s) => ({ boot: { ...s.boot, stage: STAGE[e.stage]!, stageSince: Date.now() } }));
    if (e.type === 'warning') this.store.update(() => ({ notice: e.message }));
  }

  private async fail(message: string, whatToDo: string, detail: string, exitCode: number): Promise<void> {
    this.exitCode = exitCode;
    let logPath: string | null = null;
    if (this.session || detail) {
      // Kept only when something went wrong: the last lines the appliance wrote, to show someone.
      logPath = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ai-way', 'last-error.log');
      await makeFolders(path.dirname(logPath)).then(() =>
        writeFile(logPath!, `${new Date().toISOString()} ${message}\n${detail}\n${this.session?.logTail(200) ?? ''}\n`)).catch(() => { logPath = null; });
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
    let rest = data;
    while (rest.length) {
      if (this.paste !== null) {
        const end = rest.indexOf(PASTE_END);
        this.paste += end < 0 ? rest : rest.slice(0, end);
        if (end < 0) return;
        const text = this.paste;
        this.paste = null;
        rest = rest.slice(end + PASTE_END.length);
        this.onPaste(text);
        continue;
      }
      const start = rest.indexOf(PASTE_START);
      const before = start < 0 ? rest : rest.slice(0, start);
      for (const key of splitKeys(before)) this.onKey(key);
      if (start < 0) return;
      this.paste = '';
      rest = rest.slice(start + PASTE_START.length);
    }
  }

  private onPaste(text: string): void {
    const s = this.store.get();
    if (s.screen !== 'ready') return;
    const paths = pastedPaths(text, existsSync, process.platform);
    if (paths) void this.importFiles(paths);
    else this.store.update((st) => ({ input: st.input + text.replace(/[\r\n]+/g, ' ') }));
  }

  private onKey(key: string): void {
    const s = this.store.get();
    if (key === '\x03') { void this.requestQuit(true); return; }
    if (s.confirmQuit) {
      if (key === 'y' || key === 'Y' || key === '\r') void this.quit('you asked to quit');
      else if (key === 'n' || key === 'N' || key === '\x1b') this.store.update(() => ({ confirmQuit: false }));
      return;
    }
    if (s.overlay && (key === '\x1b' || key === 'q' || key === s.overlay[0] || key === '?')) { this.store.update(() => ({ overlay: null })); return; }
    if (s.screen === 'erased' || s.screen === 'wiping') return;
    if (s.screen === 'error') { if (key === 'q' || key === '\r' || key === '\x1b') void this.quit('error'); else if (key === 'd') this.store.update(() => ({ overlay: 'details' })); return; }
    if (s.screen === 'preflight') { this.onPreflightKey(key); return; }
    if (s.input === '' && (key === '?' || key === 'd' || key === 'q')) {
      if (key === 'q') void this.requestQuit(false);
      else this.store.update(() => ({ overlay: key === '?' ? 'help' : 'details' }));
      return;
    }
    if (s.screen !== 'ready') return;
    if (key === '\r' || key === '\n') { this.submit(); return; }
    if (key === '\x7f' || key === '\b') { this.store.update((st) => ({ input: st.input.slice(0, -1) })); return; }
    if (key === '\x15') { this.store.update(() => ({ input: '' })); return; } // Ctrl-U
    if (key.startsWith('\x1b') || key < ' ') return;
    this.store.update((st) => ({ input: st.input + key }));
  }

  private onPreflightKey(key: string): void {
    const s = this.store.get();
    if (!s.checksDone) return;
    if (key === 'q') void this.quit('quit at the checklist');
    else if (key === 'r') void this.preflight();
    else if (key === 'd') this.store.update(() => ({ overlay: 'details' }));
    else if (key === 'c') {
      const command = s.checks.find((c) => c.status === 'missing' && c.fixCommand)?.fixCommand;
      if (command) { this.deps.copy(command); this.store.update(() => ({ notice: 'The command is on the clipboard.' })); }
    }
  }

  private submit(): void {
    const text = this.store.get().input.trim();
    this.store.update(() => ({ input: '' }));
    if (!text) return;
    const paths = pastedPaths(unbracket(text).text, existsSync, process.platform);
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
        set({ state: 'refused', message: (e as Error).message });
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
    if (!ask) { set(() => ({ answer: 'This appliance takes no questions.', done: true, failed: true })); return; }
    try {
      const a = await this.session!.ask('POST', ask, question, 300_000, (chunk) => set((x) => ({ answer: x.answer + chunk })));
      set(() => ({ answer: a.body, done: true, failed: a.status >= 400 }));
    } catch (e) {
      set(() => ({ answer: `No answer: ${(e as Error).message}`, done: true, failed: true }));
    }
  }

  /** q asks first; a second Ctrl-C (or one while asking) quits at once. */
  async requestQuit(ctrlC: boolean): Promise<void> {
    const s = this.store.get();
    if (s.screen === 'erased') return;
    if ((ctrlC && s.confirmQuit) || s.screen === 'wiping') { await this.quit('forced'); return; }
    if (s.screen === 'error' || (s.screen === 'preflight' && s.checksDone)) { await this.quit('quit'); return; }
    this.store.update(() => ({ confirmQuit: true, overlay: null }));
  }

  /** Wipes and exits; the same for q, Ctrl-C, a closed window (SIGHUP) and SIGTERM. */
  quit(reason: string): Promise<void> {
    this.quitting ??= (async () => {
      const t = Date.now();
      this.store.update(() => ({ screen: 'wiping', confirmQuit: false, overlay: null }));
      if (this.session) await this.session.wipe(reason).catch(() => undefined);
      this.store.update(() => ({ screen: 'erased', erasedMs: Date.now() - t }));
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
      { label: 'GPU', value: p.gpu.mode === 'none' ? `none (${p.gpu.reason})` : `${p.gpu.devices.map((d) => d.model).join(', ')} (${p.gpu.mode})` },
      { label: 'Resources', value: `${formatBytes(p.resources.memBytes)} memory, ${p.resources.cpus} cores, ${p.resources.pids} processes, ${formatBytes(p.resources.workspaceBytes)} workspace` },
      ...(v ? v.facts.map((f) => ({ label: `${f.warning ? '!' : f.ok ? '+' : '-'} ${f.id}`, value: f.detail })) : [{ label: 'Isolation', value: 'not checked yet' }]),
      { label: 'Log', value: 'none is kept; after an error, ~/.cache/ai-way/last-error.log' },
    ];
  }
}

/** Splits typed input into keys: escape sequences stay whole, other characters one by one. */
export function splitKeys(text: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < text.length;) {
    if (text[i] === '\x1b') {
      const m = /^\x1b(\[[0-9;?]*[A-Za-z~]|O[A-Za-z]|.)?/s.exec(text.slice(i))!;
      keys.push(m[0]);
      i += m[0].length;
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      keys.push(ch);
      i += ch.length;
    }
  }
  return keys;
}

function plainDetail(id: string, status: string, r: HostReport): string {
  if (id === 'memory') return r.host.memBytes ? formatBytes(r.host.memBytes) : 'unknown';
  if (id === 'gpu-driver') {
    const g = r.gpus.find((x) => x.usable);
    return g ? `${g.model ?? 'a graphics card'} will be used` : r.gpus.length ? 'not usable: answers come from the processor' : 'none: answers come from the processor';
  }
  return status === 'ok' ? 'ready' : status === 'missing' ? 'missing' : status === 'unknown' ? 'could not be checked' : 'not needed';
}

function whatToDo(code: FailureCode): string {
  switch (code) {
    case 'health': return 'The app inside did not start in time. Try again; if it happens again, share the log below.';
    case 'isolation': return 'The appliance was stopped because it was not sealed off as promised. Share the log below with whoever gave you ai-way.';
    case 'image': return 'The appliance\'s files are missing or damaged. Reinstall ai-way.';
    case 'stopped': return 'The appliance stopped by itself, and everything was erased. Try again; if it happens again, share the log below.';
    default: return 'Try again. If it happens again, share the log below.';
  }
}
