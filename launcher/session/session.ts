// One appliance session: booted through a platform adapter, its isolation proven from inside, the
// app waited for, then files, questions and the wipe. Front ends drive it; it never draws.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { command, type AgentMessage, type IsolationReport } from '../../appliance/agent-protocol.ts';
import { editsFor } from '../../appliance/cdi.ts';
import { verifyIsolation, type IsolationVerdict } from '../../appliance/isolation.ts';
import { askedLimits } from '../../appliance/plan.ts';
import type { Adapter, BootContext, Guest, RunnablePlan } from '../../platforms/adapter.ts';
import type { HostReport } from '../../platforms/host/report.ts';
import { AgentChannel } from './channel.ts';
import { httpRequest, type AnswerHead, type HttpAnswer, type Streaming } from './http.ts';
import { AnswerDecoder, isLineStream, type AnswerPiece } from './answer-stream.ts';
import { parseDocuments, parseStatus, type AppStatus, type DocumentState } from './app-api.ts';
import { questionProblem, smokeProblem, type Answer } from './smoke.ts';
import type { SmokeFile } from '../../appliance/smoke-file.ts';
import { uploadFile, type Uploaded } from './files.ts';
import type { SessionEvent, Stage } from './events.ts';
import { Failure } from '../../appliance/failures.ts';

/** What the launch did before the Session: the reaping it started, and the host it probed. */
export interface SessionStart {
  reaping?: Promise<string[]>;
  host?: HostReport;
}

const REPLY_MS = 10_000;
const SMOKE_MS = 30_000;
/** How long a file added for the smoke check may take to be indexed, and how often the app is asked. */
const INDEXING_MS = 30_000;
const POLL_MS = 250;
/** How much of an answer a smoke event carries: enough to see why it failed. */
const ANSWER_CHARS = 2000;
// The nodes the agent lists as GPU nodes; other passed nodes (none today) are not its to judge.
const isGpuNode = (p: string) => /^\/dev\/(nvidia[^/]*|dri\/[^/]+|kfd|dxg)$/.test(p);

export class Session {
  readonly id = randomBytes(6).toString('hex');
  private guest: Guest | null = null;
  private channel: AgentChannel | null = null;
  private wiping: Promise<void> | null = null;
  private readonly started = Date.now();
  private readonly pending: Promise<unknown>[] = [];
  verdict: IsolationVerdict | null = null;
  report: IsolationReport | null = null;
  private up = false;
  private lostError: Failure | null = null;
  private stopped: ((e: Failure) => void) | null = null;
  /** Settles if the appliance, once up, goes away by itself (its engine exits, its channel closes); never because of a wipe. */
  readonly lost = new Promise<Failure>((resolve) => {
    this.stopped = resolve;
  });

  constructor(
    private readonly plan: RunnablePlan,
    private readonly adapter: Adapter,
    private readonly emit: (e: SessionEvent) => void,
    private readonly early: SessionStart = {},
  ) {}

  private progress(stage: Stage, message: string): void {
    this.emit({ type: 'progress', stage, message, elapsedMs: Date.now() - this.started });
  }

  /** The last lines the engine and the appliance wrote, for error screens. */
  logTail(n = 20): string {
    return this.guest?.logTail(n) ?? '';
  }

  async boot(): Promise<void> {
    // Once the appliance is up, its going away is the failure, whichever step noticed it.
    await this.start().catch((e) => {
      throw this.lostError ?? e;
    });
  }

  private applianceStopped(why: string): void {
    if (!this.up || this.wiping || this.lostError) return;
    const detail = [why, this.logTail(5)].filter(Boolean).join('\n');
    this.lostError = new Failure('stopped', 'the appliance stopped unexpectedly', { detail });
    this.stopped?.(this.lostError);
  }

  private async start(): Promise<void> {
    const a = this.plan.appliance;
    this.progress('preparing', 'preparing the appliance');
    // Other sessions' leftovers are removed alongside; this session does not wait for it.
    const reaping = (this.early.reaping ?? this.adapter.reap()).then(
      (reaped) => {
        if (reaped.length) this.emit({ type: 'warning', message: `removed ${reaped.length} session(s) left by an earlier crash` });
      },
      () => undefined,
    );
    this.pending.push(reaping);
    const context: BootContext = {
      sessionId: this.id,
      host: this.early.host ?? null,
      warning: (message) => this.emit({ type: 'warning', message }),
      progress: (message) => this.progress('starting', message),
    };
    await this.adapter.prepare(this.plan, context);

    this.progress('starting', 'starting the appliance');
    const guest = await this.adapter.start(this.plan, context);
    this.guest = guest;
    void guest.exited.then((end) => this.applianceStopped(end.reason));
    const pipe = guest.channel();
    this.channel = new AgentChannel(pipe.toAgent, pipe.fromAgent, (m) => this.onAgentEvent(m), {
      onClose: (reason) => this.applianceStopped(reason.message),
      onFlood: (held) =>
        this.emit({ type: 'warning', message: `the appliance sent ${held} more messages nobody asked for; they were ignored` }),
    });
    const hello = this.channel.expect((m) => m.type === 'hello', a.health.timeoutMs, 'hello');
    const died = guest.exited.then((end) => {
      throw new Failure('boot', `the appliance stopped while starting (${end.status})`, { detail: this.logTail(5) });
    });
    await Promise.race([hello, died]).catch((e) => {
      throw e instanceof Failure ? e : new Failure('boot', `the appliance did not start: ${e.message}`, { detail: this.logTail(5) });
    });
    this.up = true;
    await guest.up();

    this.progress('checking isolation', 'checking the isolation from inside');
    const report: unknown = await this.channel.request(command.report(), 'report', REPLY_MS);
    const cdi = this.plan.gpu.cdi;
    this.verdict = verifyIsolation(report, {
      ...askedLimits(this.plan),
      isolation: this.plan.isolation.mode,
      model: this.plan.model !== null,
      // A Windows host's GPU has no CDI spec: WSL2 passes it as /dev/dxg alone.
      gpuNodes: cdi
        ? editsFor(cdi.spec, cdi.devices)
            .deviceNodes.map((n) => n.path)
            .filter(isGpuNode)
        : this.plan.gpu.mode === 'wsl'
          ? ['/dev/dxg']
          : [],
    });
    this.report = this.verdict.facts[0]?.id === 'report' ? null : (report as IsolationReport);
    this.emit({
      type: 'verified',
      proven: this.verdict.proven,
      facts: this.verdict.facts,
      limits: this.verdict.limits,
      devices: this.report?.devices ?? [],
    });
    if (!this.verdict.proven) {
      const failed = this.verdict.facts
        .filter((f) => !f.ok)
        .map((f) => f.detail)
        .join('; ');
      throw new Failure('isolation', 'the appliance is not isolated as promised, so it was stopped', { detail: failed });
    }

    this.progress('waiting for the app', 'waiting for the app to answer');
    await this.waitHealthy();
    this.emit({ type: 'ready', bootMs: Date.now() - this.started, platform: this.plan.platform.adapter, guest: guest.machine });
  }

  private async waitHealthy(): Promise<void> {
    const { health, port } = this.plan.appliance;
    const deadline = Date.now() + health.timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      try {
        const answer = await httpRequest(
          this.channel!,
          port,
          'GET',
          health.path,
          '',
          Math.max(1, Math.min(REPLY_MS, deadline - Date.now())),
        );
        if (answer.status >= 200 && answer.status < 300) return;
        last = `HTTP ${answer.status}`;
      } catch (e) {
        last = (e as Error).message;
        if (this.channel!.closed) break;
      }
      await new Promise((res) => setTimeout(res, health.intervalMs));
    }
    throw new Failure('health', `the app did not become healthy within ${health.timeoutMs / 1000} s`, { detail: last });
  }

  private onAgentEvent(m: AgentMessage): void {
    if (m.type === 'app-exited')
      this.emit({ type: 'warning', message: `the app exited (code ${m.exitCode ?? '-'}, signal ${m.signal ?? '-'})` });
  }

  /** Sends an HTTP request to the app inside. */
  ask(
    method: string,
    path: string,
    body: string,
    timeoutMs = 60_000,
    onBody?: Streaming['onBody'],
    signal?: AbortSignal,
  ): Promise<HttpAnswer> {
    return httpRequest(this.requireChannel(), this.plan.appliance.port, method, path, body, timeoutMs, onBody, signal);
  }

  /** Asks the app and reads its answer as it streams (JSON lines or plain text): what each piece of the body completes goes to onPieces. */
  async askAnswer(
    method: string,
    path: string,
    body: string,
    o: { timeoutMs?: number; onPieces?: (p: AnswerPiece[], streamed: boolean) => void; signal?: AbortSignal } = {},
  ): Promise<Answer> {
    const held: { decoder?: AnswerDecoder } = {};
    const onBody = (text: string, head: AnswerHead) => {
      held.decoder ??= new AnswerDecoder(head.contentType);
      const pieces = held.decoder.push(text);
      if (pieces.length) o.onPieces?.(pieces, held.decoder.lines);
    };
    const a = await this.ask(method, path, body, o.timeoutMs ?? 60_000, onBody, o.signal);
    const decoder = held.decoder ?? new AnswerDecoder(a.contentType); // an empty body streamed nothing
    const last = decoder.end();
    if (last.length) o.onPieces?.(last, decoder.lines);
    return { status: a.status, streamed: isLineStream(a.contentType), ...decoder.result() };
  }

  /** What the app says of itself (model, backend, speed, warnings); null when it says nothing the launcher can read. */
  async appStatus(): Promise<AppStatus | null> {
    const p = this.plan.appliance.status;
    if (!p) return null;
    const a = await this.ask('GET', p, '', REPLY_MS).catch(() => null);
    return a?.status === 200 ? parseStatus(a.body) : null;
  }

  /** What the app made of a file added, asked until it is no longer being indexed or time is up; null: the app does not say. */
  async documentState(name: string, timeoutMs: number): Promise<DocumentState | null> {
    const p = this.plan.appliance.documents;
    if (!p) return null;
    const until = Date.now() + timeoutMs;
    let last: DocumentState | null = null;
    for (;;) {
      const a = await this.ask('GET', p, '', REPLY_MS).catch(() => null);
      last = (a?.status === 200 ? parseDocuments(a.body) : null)?.find((d) => d.name === name) ?? last;
      if ((last && last.status !== 'indexing') || Date.now() >= until || !this.channel || this.channel.closed) return last;
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
  }

  /** Asks the app the manifest's test question (about its document, added first); a wrong answer (or none) fails with code smoke. */
  async smoke(): Promise<void> {
    const s = this.plan.appliance.smoke;
    if (!s) return;
    this.progress('smoke check', 'asking the app a test question');
    const problem = await this.askSmoke(s.body, s.document ? [s.document] : [], (a) => smokeProblem(s, a));
    if (problem !== null) throw new Failure('smoke', 'the app inside failed its smoke check', { detail: problem });
  }

  /**
   * Adds a smoke file's documents, then asks every question at the appliance's ask path, each judged
   * on its own (a CI report lists them all); any wrong answer fails with code smoke once all were asked.
   */
  async smokeQuestions(f: SmokeFile): Promise<void> {
    const ask = this.plan.appliance.ask;
    if (ask === null) throw new Failure('manifest', 'the appliance names no [app] ask path, so --smoke has nowhere to ask');
    this.progress('smoke check', `asking the app ${f.questions.length} question(s) of ${path.basename(f.file)}`);
    let failed = 0;
    for (const [i, q] of f.questions.entries()) {
      const problem = await this.askSmoke(q.ask, i === 0 ? f.documents : [], (a) => questionProblem(q, a), { method: 'POST', path: ask });
      if (problem !== null) failed++;
    }
    if (failed) throw new Failure('smoke', `${failed} of ${f.questions.length} smoke question(s) failed`);
  }

  /** One smoke question, its documents added first: its `smoke` event emitted, and why it failed (null: it passed). */
  private async askSmoke(
    question: string,
    documents: string[],
    judge: (a: Answer) => string | null,
    to?: { method: string; path: string },
  ): Promise<string | null> {
    const s = this.plan.appliance.smoke;
    const { method, path: where } = to ?? { method: s!.method, path: s!.path };
    const t = Date.now();
    let answer: Answer | Error;
    try {
      for (const d of documents) await this.smokeDocument(d);
      answer = await this.askAnswer(method, where, question, { timeoutMs: SMOKE_MS });
    } catch (e) {
      answer = e as Error;
    }
    const problem = answer instanceof Error ? answer.message : judge(answer);
    const detail = problem ?? 'the app answered as expected';
    const [status, streamed] = answer instanceof Error ? [null, null] : [answer.status, answer.streamed ? answer : null];
    const speed = { tokens: streamed?.tokens ?? null, tokensPerSecond: streamed?.tokensPerSecond ?? null };
    const text = answer instanceof Error ? '' : answer.body.slice(0, ANSWER_CHARS);
    this.emit({ type: 'smoke', ok: problem === null, status, ms: Date.now() - t, detail, question, answer: text, ...speed });
    return problem;
  }

  /** The smoke check's document, added and (where the app lists its documents) indexed; refused, it fails the check. */
  private async smokeDocument(file: string): Promise<void> {
    const { name } = await this.addFile(file);
    const d = await this.documentState(name, INDEXING_MS);
    if (d?.status === 'refused') throw new Error(`the app refused ${name}: ${d.reason ?? 'it gave no reason'}`);
  }

  /** Copies a host file into the workspace (checked here and verified inside by SHA-256). */
  addFile(hostPath: string, onProgress?: (sent: number, total: number) => void): Promise<Uploaded> {
    return uploadFile(this.requireChannel(), hostPath, onProgress);
  }

  listFiles(): Promise<Extract<AgentMessage, { type: 'list' }>> {
    return this.requireChannel().request(command.list(), 'list', REPLY_MS);
  }

  requireChannel(): AgentChannel {
    if (!this.channel || this.channel.closed) throw new Failure('stopped', 'the appliance is not running');
    return this.channel;
  }

  /** Stops the app, erases the workspace and removes the guest; safe to call more than once. */
  wipe(reason: string): Promise<void> {
    this.wiping ??= this.doWipe(reason);
    return this.wiping;
  }

  private async doWipe(reason: string): Promise<void> {
    const t = Date.now();
    this.progress('wiping', 'erasing everything');
    if (this.channel && !this.channel.closed && !this.lostError) {
      await this.channel.request(command.shutdown(), 'bye', 3_000).catch(() => undefined);
    }
    // The channel's end is the dead man's switch, should SHUTDOWN not have been heard.
    await this.guest?.wipe(this.lostError ? 0 : 5_000);
    await Promise.all(this.pending);
    this.emit({ type: 'wiped', ms: Date.now() - t, reason });
  }
}
