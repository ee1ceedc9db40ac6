// The raw facts of one host: what probing collects and a support bundle stores, byte for byte.
// Analysis reads only this, so a live host and a replayed bundle are judged alike.
// zod/mini, not zod: the full build is 750 KB of start-up for one small schema.
import * as z from 'zod/mini';

export const hostInfoSchema = z.looseObject({
  os: z.enum(['linux', 'darwin', 'win32']),
  // Contract values are x64 and arm64; anything else is kept and reported as unknown.
  arch: z.string(),
  release: z.optional(z.string()),
  totalMemBytes: z.optional(z.number().check(z.nonnegative())),
  cpus: z.optional(z.int().check(z.nonnegative())),
  cpuModel: z.optional(z.string()),
  env: z.optional(z.record(z.string(), z.string())),
});
export type HostInfo = z.infer<typeof hostInfoSchema>;

/**
 * The most one recorded file or command output may hold. The largest real ones (`ldconfig -p`,
 * `nvidia-smi -q -x` of eight GPUs) are a few hundred KiB; the probe keeps no more than this of an
 * output, and a bundle with a bigger file is not one ai-way wrote.
 */
export const MAX_ARTIFACT_BYTES = 8 * 1024 * 1024;

export interface CommandRecord {
  out: Uint8Array;
  err?: Uint8Array;
  exit?: number;
  /** Set when the command was stopped at its time limit (milliseconds allowed). */
  timeoutMs?: number;
}

export interface Artifacts {
  host: HostInfo;
  /** Absolute host path -> verbatim content. */
  files: ReadonlyMap<string, Uint8Array>;
  /** Device nodes present; null when the list was not recorded. */
  devices: readonly string[] | null;
  /**
   * Driver files and folders present (not read), as `ls` names them: "path", "path/" for a folder,
   * "path -> target" for a link. Null when not recorded.
   */
  listing?: readonly string[] | null;
  /** Command name (see COMMAND_NAMES in the README) -> its recorded run. */
  commands: ReadonlyMap<string, CommandRecord>;
}

/** Environment variables detection uses; nothing else is ever recorded. */
export const RECORDED_ENV = ['WSL_DISTRO_NAME', 'WSL_INTEROP', 'PROCESSOR_ARCHITECTURE', 'PROCESSOR_ARCHITEW6432'] as const;
