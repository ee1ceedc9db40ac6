// A session's container, as the launcher holds it: the `podman run -i` (or `bolt run`) child whose
// stdio is the agent channel, what it wrote to stderr, and its removal.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { AgentPipe, Guest, GuestEnd } from '../adapter.ts';
import { containerExists, removeContainer, watchMonitor } from './podman.ts';
import { removeSessionSpec } from './cdi-install.ts';

const LOG_LINES = 200;
/** How long an exit waits for the child's last output (a monitor that inherited its pipes may hold them open). */
const LAST_WORDS_MS = 500;

export class ContainerGuest implements Guest {
  /** No guest: the container runs on the host's kernel. */
  readonly machine = null;
  readonly exited: Promise<GuestEnd>;
  private readonly log: string[] = [];
  /** Settles when the child has exited and its output is read. */
  private readonly closed: Promise<void>;
  private end!: (e: GuestEnd) => void;
  private wiping: Promise<void> | null = null;

  /** `specOf`: the session whose CDI spec was installed for this container, to remove once it exists. */
  constructor(
    engine: 'podman' | 'bolt',
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly container: string,
    private specOf: string | null,
  ) {
    this.exited = new Promise((resolve) => {
      this.end = resolve;
    });
    this.closed = new Promise((resolve) => child.on('close', () => resolve()));
    child.stderr.on('data', (b: Buffer) => {
      for (const line of b.toString('utf8').split('\n')) if (line.trim()) this.log.push(line);
      if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
    });
    child.on('error', (e) => this.log.push(`${engine}: ${e.message}`));
    const ended = (code: number | null, signal: NodeJS.Signals | null): GuestEnd => ({
      reason: `${engine} ended with ${signal ?? `exit ${code}`}`,
      status: `${engine} exit ${code}`,
    });
    // Its output all read (a child that never ran, not found, closes without exiting) ...
    child.on('close', (code, signal) => this.end(ended(code, signal)));
    // ... or, where a monitor that inherited its pipes holds them open, soon after its exit.
    child.on('exit', (code, signal) => setTimeout(() => this.end(ended(code, signal)), LAST_WORDS_MS).unref());
  }

  channel(): AgentPipe {
    return { toAgent: this.child.stdin, fromAgent: this.child.stdout };
  }

  async up(): Promise<void> {
    // `podman run` notices its monitor's death only some 20 s later, and the appliance no longer answers meanwhile.
    watchMonitor(this.container, () => this.end({ reason: 'its container monitor ended', status: 'its container monitor ended' }));
    await this.removeSpec();
  }

  logTail(n: number): string {
    return this.log.slice(-n).join('\n');
  }

  wipe(graceMs: number): Promise<void> {
    this.wiping ??= this.remove(graceMs);
    return this.wiping;
  }

  private async remove(graceMs: number): Promise<void> {
    this.child.stdin.end(); // the dead man's switch: the agent exits when its input ends
    const exited = await Promise.race([this.closed.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), graceMs))]);
    if (!exited) this.child.kill('SIGKILL');
    if (!exited || (await containerExists(this.container))) await removeContainer(this.container);
    await this.removeSpec();
  }

  private async removeSpec(): Promise<void> {
    const session = this.specOf;
    this.specOf = null;
    if (session) await removeSessionSpec(session).catch(() => undefined);
  }
}
