// What can go wrong, in one vocabulary for every layer: a code names the kind of failure, and with
// it come the exit code a script can tell apart and what a person can do about it. The message of
// a Failure says the particulars; front ends read the code, never the text.

/** Exit codes: each failure a script may want to tell apart has its own. Documented in the README. */
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

const LOG = 'try again; if it happens again, share the log';

/** `fix` completes "<message>; ...". An empty fix: the message says all there is to do. */
export const FAILURES = {
  internal: { exit: EXIT.internal, fix: 'run again with --debug for details' },
  usage: { exit: EXIT.usage, fix: 'see "ai-way help"' },
  manifest: { exit: EXIT.badInput, fix: 'correct the appliance file, or run ai-way without --appliance' },
  bundle: { exit: EXIT.badInput, fix: 'give the folder written by "ai-way bundle collect" or its .tar.gz' },
  output: { exit: EXIT.badInput, fix: 'choose a new folder you can write to' },
  model: { exit: EXIT.badInput, fix: 'give a GGUF model file (the format llama.cpp reads), or see "ai-way models list"' },
  'image-refused': { exit: EXIT.badInput, fix: 'name an OCI archive (podman save --format oci-archive) in the appliance file' },
  /** A request to a running session (a file to add, a question) was refused; the session goes on. */
  refused: { exit: EXIT.badInput, fix: '' },
  /** `ai-way stop` was given an id no running session has (or one that several begin with). */
  session: { exit: EXIT.badInput, fix: 'see "ai-way ps" for the sessions there are' },
  /** A session that `ai-way stop` asked to end is still there. */
  'not-stopped': { exit: EXIT.internal, fix: 'run "ai-way stop" again; "ai-way ps" shows what is left' },
  prerequisite: { exit: EXIT.prerequisiteMissing, fix: 'run "ai-way doctor" for the fix' },
  image: { exit: EXIT.bootFailed, fix: 'run "npm run setup" to build the images, or reinstall ai-way' },
  engine: { exit: EXIT.bootFailed, fix: 'run "ai-way doctor", then try again' },
  boot: { exit: EXIT.bootFailed, fix: LOG },
  stopped: { exit: EXIT.bootFailed, fix: `everything was erased; ${LOG}` },
  health: { exit: EXIT.healthTimeout, fix: `the app inside did not start in time; ${LOG}` },
  timeout: { exit: EXIT.healthTimeout, fix: 'give it longer with --timeout (for example --timeout 2m)' },
  isolation: { exit: EXIT.isolationNotProven, fix: 'nothing was started; share the log with whoever gave you ai-way' },
  smoke: { exit: EXIT.smokeFailed, fix: 'the app inside answered wrongly; share the log with whoever made the appliance' },
  unsupported: { exit: EXIT.notImplemented, fix: 'use a Linux computer for now' },
  interrupted: { exit: EXIT.interrupted, fix: '' },
} as const satisfies Record<string, { exit: number; fix: string }>;

export type FailureCode = keyof typeof FAILURES;

export class Failure extends Error {
  override name = 'Failure';
  readonly exitCode: number;
  /** What to do, completing the message: the code's own advice unless the failure knows better. */
  readonly fix: string;
  /** Lines to show apart from the message (an engine's last words, the app's answer); never needed to act. */
  readonly detail: string;

  constructor(
    readonly code: FailureCode,
    message: string,
    o: { fix?: string; detail?: string } = {},
  ) {
    super(message);
    this.exitCode = FAILURES[code].exit;
    this.fix = o.fix ?? FAILURES[code].fix;
    this.detail = o.detail ?? '';
  }

  /** The failure as one line: what went wrong, then what to do. */
  oneLine(): string {
    return this.fix ? `${this.message}; ${this.fix}` : this.message;
  }
}

/** `e` when it is a Failure already; otherwise a Failure of `code` with its message (what a layer knows of an error it did not expect). */
export function asFailure(e: unknown, code: FailureCode): Failure {
  return e instanceof Failure ? e : new Failure(code, e instanceof Error ? e.message : String(e));
}
