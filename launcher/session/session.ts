// One appliance session on Linux with rootless Podman: boot, prove isolation from inside, wait
// for the app, then files, questions and the wipe. Front ends drive it; it never draws.
import { randomBytes, randomInt } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { command, type AgentMessage, type IsolationReport } from '../../appliance/agent-protocol.ts';
import { podmanRunArgs, containerName, ROOTFUL_SLOTS, type PodmanGpu } from '../../appliance/engines/podman.ts';
import { editsFor } from '../../appliance/cdi.ts';
import { verifyIsolation, type IsolationVerdict } from '../../appliance/isolation.ts';
import type { Plan, PlanAppliance } from '../../appliance/plan.ts';
import {
  containerExists,
  ensureImage,
  podmanProfile,
  reapOrphans,
  removeContainer,
  spawnEngine,
  watchMonitor,
} from '../../platforms/linux/podman.ts';
import { boltMissingFlags } from '../../platforms/linux/bolt.ts';
import { thisLauncher } from '../../platforms/linux/process-identity.ts';
import { installSessionSpec, reapSessionSpecs, removeSessionSpec } from '../../platforms/linux/cdi-install.ts';
import { AgentChannel } from './channel.ts';
import { httpRequest, type HttpAnswer } from './http.ts';
import { uploadFile, type Uploaded } from './files.ts';
import type { SessionEvent, Stage } from './events.ts';
import { asFailure, Failure } from '../../appliance/failures.ts';

/** Work a front end may start before the Plan is known, to shorten the boot. */
export interface BootHead {
  reaping?: Promise<string[]>;
  image?: Promise<string>;
  podmanVersion?: string | null;
}

const REPLY_MS = 10_000;
// The nodes the agent lists as GPU nodes; other passed nodes (none today) are not its to judge.
const isGpuNode = (p: string) => /^\/dev\/(nvidia[^/]*|dri\/[^/]+|kfd|dxg)$/.test(p);
const LOG_LINES = 200;

export class Session {
  readonly id = randomBytes(6).toString('hex');
  private child: ChildProcessWithoutNullStreams | null = null;
  private channel: AgentChannel | null = null;
  private readonly log: string[] = [];
  private exited: Promise<number | null> = Promise.resolve(null);
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
    private readonly plan: Plan & { appliance: PlanAppliance },
    private readonly emit: (e: SessionEvent) => void,
    private readonly early: BootHead = {},
  ) {}

  private progress(stage: Stage, message: string): void {
    this.emit({ type: 'progress', stage, message, elapsedMs: Date.now() - this.started });
  }

  /** The last lines Podman and the appliance wrote to stderr, for error screens. */
  logTail(n = 20): string {
    return this.log.slice(-n).join('\n');
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
    const reaping = Promise.all([this.early.reaping ?? reapOrphans(), reapSessionSpecs()]).then(
      ([reaped]) => {
        if (reaped.length) this.emit({ type: 'warning', message: `removed ${reaped.length} session(s) left by an earlier crash` });
      },
      () => undefined,
    );
    this.pending.push(reaping);
    const image = await (this.early.image ?? ensureImage(a.image)).catch((e) => {
      throw asFailure(e, 'image');
    });
    const profile = await podmanProfile(image, this.early.podmanVersion).catch((e) => {
      throw asFailure(e, 'engine');
    });

    this.progress('starting', 'starting the appliance');
    const r = this.plan.resources;
    // What the Plan asks for: given to the engine, then checked from inside.
    const asked = {
      workspaceBytes: r.workspaceBytes,
      workspaceExec: a.workspaceExec,
      memBytes: r.memBytes,
      shmBytes: r.shmBytes,
      cpus: r.cpus,
      pids: r.pids,
    };
    const engine = await this.engine();
    const gpu = await this.gpu();
    // Bolt gets Podman's `run` without Podman's own global flags; what it does with it is proven from inside.
    // A rootful session's ids: one range of ROOTFUL_SLOTS, by chance (rootless Podman allocates its own).
    const args = podmanRunArgs(engine === 'bolt' ? { ...profile, globalArgs: [] } : profile, {
      sessionId: this.id,
      ...thisLauncher(),
      usernsSlot: randomInt(ROOTFUL_SLOTS),
      image,
      command: a.command,
      ...asked,
      gpu,
    });
    const child = spawnEngine(engine, args);
    this.child = child;
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    child.stderr.on('data', (b: Buffer) => {
      for (const line of b.toString('utf8').split('\n')) if (line.trim()) this.log.push(line);
      if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
    });
    child.on('error', (e) => this.log.push(`podman: ${e.message}`));
    child.on('exit', (code, signal) => this.applianceStopped(`${engine} ended with ${signal ?? `exit ${code}`}`));
    this.channel = new AgentChannel(child.stdin, child.stdout, (m) => this.onAgentEvent(m), {
      onClose: (reason) => this.applianceStopped(reason.message),
      onFlood: (held) =>
        this.emit({ type: 'warning', message: `the appliance sent ${held} more messages nobody asked for; they were ignored` }),
    });
    const hello = this.channel.expect((m) => m.type === 'hello', a.health.timeoutMs, 'hello');
    const died = this.exited.then((code) => {
      throw new Failure('boot', `the appliance stopped while starting (${engine} exit ${code})`, { detail: this.logTail(5) });
    });
    await Promise.race([hello, died])
      .catch((e) => {
        throw e instanceof Failure ? e : new Failure('boot', `the appliance did not start: ${e.message}`, { detail: this.logTail(5) });
      })
      .finally(() => this.removeSpec());
    this.up = true;
    watchMonitor(containerName(this.id), () => this.applianceStopped('its container monitor ended'));

    this.progress('checking isolation', 'checking the isolation from inside');
    const report: unknown = await this.channel.request(command.report(), 'report', REPLY_MS);
    this.verdict = verifyIsolation(report, {
      ...asked,
      gpuNodes: gpu?.edits.deviceNodes.map((n) => n.path).filter(isGpuNode) ?? [],
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
    this.emit({ type: 'ready', bootMs: Date.now() - this.started });
  }

  private specInstalled = false;

  /** Bolt when the Plan says so and its `run` offers every isolation flag; otherwise Podman, or a refusal. */
  private async engine(): Promise<'podman' | 'bolt'> {
    if (this.plan.engine.name !== 'bolt') return 'podman';
    const { found, missing } = await boltMissingFlags();
    if (found && missing.length === 0) return 'bolt';
    const why = found ? `Bolt cannot enforce the isolation: its "run" has no ${missing.join(', ')}` : 'Bolt was not found';
    if (this.plan.engine.chosenBy === 'user') {
      throw new Failure(found ? 'isolation' : 'prerequisite', `${why}, so nothing was started`, { fix: 'use --engine podman' });
    }
    this.emit({ type: 'warning', message: `${why}; Podman runs the appliance instead` });
    return 'podman';
  }

  /**
   * The GPU for the engine: rootful Podman reads the Plan's CDI spec, installed for this session only
   * (and removed once the container exists); rootless Podman gets the same edits as flags.
   */
  private async gpu(): Promise<PodmanGpu | null> {
    const cdi = this.plan.gpu.cdi;
    if (!cdi) return null;
    const edits = editsFor(cdi.spec, cdi.devices);
    if (process.getuid?.() !== 0) return { kind: null, devices: cdi.devices, edits };
    const { kind } = await installSessionSpec(cdi.spec, this.id).catch((e) => {
      throw new Failure('boot', `the GPU's CDI spec could not be installed: ${(e as Error).message}`);
    });
    this.specInstalled = true;
    return { kind, devices: cdi.devices, edits };
  }

  private async removeSpec(): Promise<void> {
    if (this.specInstalled) await removeSessionSpec(this.id).catch(() => undefined);
    this.specInstalled = false;
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
  ask(method: string, path: string, body: string, timeoutMs = 60_000, onBody?: (text: string) => void): Promise<HttpAnswer> {
    return httpRequest(this.requireChannel(), this.plan.appliance.port, method, path, body, timeoutMs, onBody);
  }

  /** Asks the app the manifest's test question; a wrong answer (or none) fails with code smoke. */
  async smoke(): Promise<void> {
    const s = this.plan.appliance.smoke;
    if (!s) return;
    this.progress('smoke check', 'asking the app a test question');
    const t = Date.now();
    let answer: HttpAnswer | Error;
    try {
      answer = await this.ask(s.method, s.path, s.body, 30_000);
    } catch (e) {
      answer = e as Error;
    }
    const ok =
      !(answer instanceof Error) && answer.status === s.expectStatus && (s.expectBody === null || answer.body.includes(s.expectBody));
    const expected = `HTTP ${s.expectStatus}${s.expectBody ? ` containing "${s.expectBody}"` : ''}`;
    const detail = ok
      ? 'the app answered as expected'
      : answer instanceof Error
        ? answer.message
        : `expected ${expected}, got HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
    this.emit({ type: 'smoke', ok, status: answer instanceof Error ? null : answer.status, ms: Date.now() - t, detail });
    if (!ok) throw new Failure('smoke', 'the app inside failed its smoke check', { detail });
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

  /** Stops the app, erases the workspace and removes the container; safe to call more than once. */
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
    this.child?.stdin.end(); // the dead man's switch, should SHUTDOWN not have been heard
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((res) => setTimeout(() => res(false), this.lostError ? 0 : 5_000)),
    ]);
    if (!exited) this.child?.kill('SIGKILL');
    if (this.child && (!exited || (await containerExists(containerName(this.id))))) await removeContainer(containerName(this.id));
    await this.removeSpec();
    await Promise.all(this.pending);
    this.emit({ type: 'wiped', ms: Date.now() - t, reason });
  }
}
