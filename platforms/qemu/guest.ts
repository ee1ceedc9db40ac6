// A session's virtual machine, as the launcher holds it: the QEMU process, the agent's channel on the
// socket it inherited, the guest's console (and QEMU's own words) for error screens, and its end.
// Wiping ends the channel (the agent wipes and the guest powers off), then kills QEMU if it lingers:
// its memory was the guest's only storage, and nothing of it is on the host's disk.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { AgentPipe, Guest, GuestEnd, GuestMachine } from '../adapter.ts';
import { endWithin } from '../end-within.ts';
import { CHANNEL_FD, keepLines } from './vm-process.ts';

const LOG_LINES = 200;

export class VmGuest implements Guest {
  readonly exited: Promise<GuestEnd>;
  private readonly log: string[] = [];
  private readonly socket: Socket;
  private wiping: Promise<void> | null = null;

  constructor(
    private readonly qemu: ChildProcess,
    readonly machine: GuestMachine,
  ) {
    this.socket = qemu.stdio[CHANNEL_FD] as Socket;
    // A channel QEMU dropped (it exited) is the channel's end, not an error to throw.
    this.socket.on('error', () => undefined);
    keepLines(qemu.stdout, this.log, LOG_LINES);
    keepLines(qemu.stderr, this.log, LOG_LINES);
    qemu.on('error', (e) => this.log.push(`qemu: ${e.message}`));
    // Its output all read; a QEMU that never ran (not found) closes without exiting.
    this.exited = new Promise((resolve) =>
      qemu.on('close', (code, signal) =>
        resolve({
          reason: `the virtual machine ended (QEMU ${signal ?? `exit ${code}`})`,
          status: `qemu exit ${code ?? signal}`,
        }),
      ),
    );
  }

  channel(): AgentPipe {
    return { toAgent: this.socket, fromAgent: this.socket };
  }

  logTail(n: number): string {
    return this.log.slice(-n).join('\n');
  }

  async up(): Promise<void> {
    // Nothing served only the boot: the kernel and initramfs are the cache's, read-only.
  }

  wipe(graceMs: number): Promise<void> {
    this.wiping ??= this.end(graceMs);
    return this.wiping;
  }

  private async end(graceMs: number): Promise<void> {
    this.socket.end(); // the dead man's switch: the agent wipes and the guest powers off
    await endWithin(this.exited, graceMs, () => this.qemu.kill('SIGKILL'));
    this.socket.destroy();
  }
}
