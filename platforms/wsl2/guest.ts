// A session's WSL2 distribution, as the launcher holds it: the `wsl.exe -d NAME --exec` child whose
// standard input and output are the agent's channel, what it wrote to stderr, and its end: the
// channel closed (the agent empties the workspace and exits), then the distribution stopped,
// unregistered (its disk goes with it) and its folder removed. Never `wsl --shutdown`: that would
// stop the person's own distributions too.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { AgentPipe, Guest, GuestEnd, GuestMachine } from '../adapter.ts';
import { keepLines } from '../keep-lines.ts';
import { endWithin } from '../end-within.ts';
import { removeDistro } from './reap.ts';

const LOG_LINES = 200;

export interface Distro {
  exe: string;
  name: string;
  folder: string;
}

export class WslGuest implements Guest {
  readonly exited: Promise<GuestEnd>;
  private readonly log: string[] = [];
  private wiping: Promise<void> | null = null;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly distro: Distro,
    readonly machine: GuestMachine,
  ) {
    keepLines(child.stderr, this.log, LOG_LINES);
    child.on('error', (e) => this.log.push(`wsl.exe: ${e.message}`));
    child.stdin.on('error', () => undefined); // a channel wsl.exe dropped is its end, not an error to throw
    this.exited = new Promise((resolve) =>
      child.on('close', (code, signal) =>
        resolve({
          reason: `the WSL distribution's agent ended (wsl.exe ${signal ?? `exit ${code}`})`,
          status: `wsl.exe exit ${code ?? signal}`,
        }),
      ),
    );
  }

  channel(): AgentPipe {
    return { toAgent: this.child.stdin, fromAgent: this.child.stdout };
  }

  logTail = (n: number): string => this.log.slice(-n).join('\n');

  /** Nothing served only the boot: the tarball is the cache's, read-only. */
  up = async (): Promise<void> => undefined;

  wipe(graceMs: number): Promise<void> {
    this.wiping ??= this.end(graceMs);
    return this.wiping;
  }

  private async end(graceMs: number): Promise<void> {
    this.child.stdin.end(); // the dead man's switch: the agent empties the workspace and exits
    await endWithin(this.exited, graceMs, () => this.child.kill('SIGKILL'));
    await removeDistro(this.distro.exe, this.distro.name);
    await rm(this.distro.folder, { recursive: true, force: true, maxRetries: 3 });
  }
}
