// Exit codes: each failure a script may want to tell apart has its own. Documented in the README.
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  badInput: 3,
  prerequisiteMissing: 4,
  bootFailed: 5,
  healthTimeout: 6,
  isolationNotProven: 7,
  smokeFailed: 8,
  notImplemented: 9,
  interrupted: 130,
} as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
