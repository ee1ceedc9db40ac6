// The platform interface: how ai-way reaches Linux on a host (native Podman, WSL2, Lima, QEMU), kept
// apart from what runs there (the engine and the appliance). Each adapter folder exports an
// AdapterEntry (pure, cheap to load) whose load() imports the Adapter itself on demand; the
// registry (registry.ts) lists them. The session speaks to a started appliance only through its Guest.
import type { Readable, Writable } from 'node:stream';
import type { ImageArch, ImageFlavor } from '../appliance/image-policy.ts';
import type { Plan, PlanAppliance, PlatformCandidate } from '../appliance/plan.ts';
import type { HostReport, Prerequisite } from './host/report.ts';
import type { RecordedFile } from './host/probe.ts';
import type { SessionFound } from './sessions.ts';

/** A Plan with an appliance to start: what prepare() and start() are given. */
export type RunnablePlan = Plan & { appliance: PlanAppliance };

/** An adapter as the Plan, the doctor and the registry know it: pure facts, no side effects. */
export interface AdapterEntry extends PlatformCandidate {
  /** The prerequisites it needs that the host lacks (empty: it can start here). Pure. */
  check(report: HostReport): Prerequisite[];
  /** Files the host probe records for the analysis of this way (as command records; a missing file is left out). */
  probes(): RecordedFile[];
  /** What the doctor says of this way on this host beyond its prerequisites; absent: nothing. Pure. */
  describe?(report: HostReport): AdapterNote;
  /** The adapter itself, imported on demand: a fresh one per launch. */
  load(): Promise<Adapter>;
}

/** The doctor's line of an adapter (a title and its words), and the same as data for --json. */
export interface AdapterNote {
  title: string;
  detail: string;
  facts: Record<string, unknown>;
}

/** What a launch tells the adapter it starts an appliance for. */
export interface BootContext {
  /** The session's id: what the adapter makes carries it, and the launcher's pid, so reap() can tell whose it is. */
  readonly sessionId: string;
  /** The host as probed for the Plan, when the launch has it (a tool's version saves asking again). */
  readonly host: HostReport | null;
  /** Something the person should know that does not stop the boot (another engine stands in). */
  warning(message: string): void;
  /** What a long start is doing now (a virtual machine booting), for the person waiting. */
  progress?(message: string): void;
}

export interface Adapter {
  readonly id: PlatformCandidate['id'];
  /** Removes what sessions whose launcher is gone left behind; resolves with what it removed. Never rejects. */
  reap(): Promise<string[]>;
  /** This user's sessions on this way, their launcher alive or gone (`ai-way ps`). Never rejects. */
  sessions(): Promise<SessionFound[]>;
  /** Starts making these images ready before the Plan is known (prepare reuses the work); failures wait for prepare. */
  prefetch(images: readonly PlanAppliance['image'][]): void;
  /** Makes the Plan's image and the way to run it ready. Throws a Failure. */
  prepare(plan: RunnablePlan, context: BootContext): Promise<void>;
  /** Starts the appliance (after prepare); throws a Failure, having removed what it made. */
  start(plan: RunnablePlan, context: BootContext): Promise<Guest>;
}

/** How a guest ended: "podman ended with exit 1" (reason), "podman exit 1" (status, for a boot that never finished). */
export interface GuestEnd {
  readonly reason: string;
  readonly status: string;
}

/**
 * The byte stream to the agent, both ways: `podman run -i`'s stdin and stdout, or one socket (a
 * virtio-serial port) as both. Two streams, not one Duplex: wrapping a child's stdio in one turns
 * the child's death into a "premature close" error instead of the end of input the agent gave.
 */
export interface AgentPipe {
  readonly toAgent: Writable;
  readonly fromAgent: Readable;
}

/** The machine a guest is: its flavour and architecture, its kernel's release, and what runs it (tcg: emulation). */
export interface GuestMachine {
  flavor: ImageFlavor;
  arch: ImageArch;
  kernel: string;
  accelerator: string;
}

/**
 * A started appliance, seen from the host. The agent channel is the only way in: there is no exec
 * beside it, since a second door would not be covered by the isolation the agent proves.
 */
export interface Guest {
  /** The guest machine the appliance runs in; null where it runs on the host's own kernel. */
  readonly machine: GuestMachine | null;
  /** The agent channel's pipe (the same one each call). */
  channel(): AgentPipe;
  /** Settles when the guest goes away (by itself, or wiped); never rejects. */
  readonly exited: Promise<GuestEnd>;
  /** The agent answered: what only the boot needed goes (a CDI spec; gone when this settles), and the watch for a silent death starts. */
  up(): Promise<void>;
  /** The last lines its engine or console wrote, for error screens. */
  logTail(n: number): string;
  /**
   * Ends the guest and removes all it had on the host. The channel's end asks the agent to exit; it
   * gets `graceMs` to do so before it is killed. Safe to call more than once.
   */
  wipe(graceMs: number): Promise<void>;
}

/** The host report's prerequisites of these ids that are missing: what an adapter's check() reads. */
export const missingOf = (report: HostReport, ids: readonly Prerequisite['id'][]): Prerequisite[] =>
  report.prerequisites.filter((p) => ids.includes(p.id) && p.status === 'missing');
