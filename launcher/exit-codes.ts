// Exit codes: each failure a script may want to tell apart has its own. Documented in the README.
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  badInput: 3,
  prerequisiteMissing: 4,
  notImplemented: 9,
} as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
