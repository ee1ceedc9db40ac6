// A session's Lima instance, as the launcher holds it: the `limactl shell` whose stdio is the
// agent's channel, what it and the start wrote (for error screens), and the wipe: the channel's end
// (the agent wipes the workspace and exits), then the instance force-stopped and deleted with its
// disk. Lima's host agent runs the machine apart from the launcher: the wipe, or the next start's
// reaping after a crash, is what ends it.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { AgentPipe, Guest, GuestEnd, GuestMachine } from '../adapter.ts';

const LOG_LINES = 200;

export class LimaGuest implements Guest {
  readonly exited: Promise<GuestEnd>;
  private readonly closed: Promise<void>;
  private wiping: Promise<void> | null = null;

  constructor(
    private readonly shell: ChildProcessWithoutNullStreams,
    readonly machine: GuestMachine,
    private readonly log: string[],
    /** Stops and deletes the instance; never rejects. */
    private readonly remove: () => Promise<void>,
  ) {
    shell.stderr.setEncoding('utf8').on('data', (t: string) => {
      for (const line of t.split(/\r?\n/)) if (line.trim()) log.push(line);
      if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
    });
    shell.on('error', (e) => log.push(`limactl: ${e.message}`));
    this.closed = new Promise((resolve) => shell.on('close', () => resolve()));
    // A shell that ended (the agent exited, or ssh lost the machine) is the channel's end.
    const shellEnd = new Promise<GuestEnd>((resolve) =>
      shell.on('close', (code, signal) =>
        resolve({
          reason: `the virtual machine's shell ended (limactl ${signal ?? `exit ${code}`})`,
          status: `limactl exit ${code ?? signal}`,
        }),
      ),
    );
    this.exited = shellEnd;
  }

  channel(): AgentPipe {
    return { toAgent: this.shell.stdin, fromAgent: this.shell.stdout };
  }

  async up(): Promise<void> {
    // Nothing served only the boot: the guest's files were unpacked into its memory.
  }

  logTail(n: number): string {
    return this.log.slice(-n).join('\n');
  }

  wipe(graceMs: number): Promise<void> {
    this.wiping ??= this.end(graceMs);
    return this.wiping;
  }

  private async end(graceMs: number): Promise<void> {
    this.shell.stdin.end(); // the dead man's switch: the agent wipes and exits
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
    if ((await Promise.race([this.closed, timer])) === 'late') this.shell.kill('SIGKILL');
    await this.remove();
    await this.closed;
  }
}
