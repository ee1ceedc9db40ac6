// ai-way's command line: parse, dispatch, and turn every failure into one clear line and an exit code.
import { parseArgs } from 'node:util';
import { CliError, EXIT } from './exit-codes.ts';
import { embeddedUi } from '../platforms/embedded.ts';
import { catchCrashes } from './crash.ts';
import { terminalText } from './render/terminal-text.ts';
import { PASSABLE_VENDORS } from '../appliance/gpu-vendors.ts';
// Commands load on demand: `--version` and `doctor` must not pay for the session code.
const DEFAULT_APPLIANCE = 'selftest';
// The longest a Node timer can wait (2^31 - 1 ms, about 24.8 days): a longer one fires at once.
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

declare const AI_WAY_VERSION: string;
const VERSION = typeof AI_WAY_VERSION === 'string' ? AI_WAY_VERSION : '0.0.0-dev';

const HELP = `ai-way ${VERSION}: start an isolated, air-gapped appliance and leave nothing behind

Usage:
  ai-way                         start the default appliance (selftest), check it, erase it
  ai-way doctor [--json] [--bundle DIR]
                                 check this computer (or a support bundle) and explain fixes
  ai-way plan [--json] [--bundle DIR] [--image auto|fedora|alpine] [--gpu auto|none]
                                 show what ai-way would start, and why
  ai-way bundle collect DIR      write a support bundle of this computer to DIR and DIR.tar.gz
  ai-way gpu cdi [--bundle DIR] [--format json|yaml] [--output FILE] [--vendor ${PASSABLE_VENDORS.join('|')}]
                                 write a CDI spec for this computer's GPUs (YAML unless FILE ends in .json)
  ai-way export boltfile [--appliance NAME|PATH] [--bundle DIR] [--output FILE] [--image ...] [--gpu ...]
                                 write the appliance, as it would start here, as a Boltfile
  ai-way run [--headless] [--json] [--appliance NAME|PATH] [--hold] [--timeout S] [--engine auto|podman|bolt]
                                 start an appliance, prove its isolation from inside, wait until it
                                 answers, run its smoke check, and erase everything; --hold keeps it
                                 up until Ctrl-C, SIGTERM or end of input

Options: --json (machine-readable), --debug (full error details), --help, --version
Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input, 4 prerequisite missing,
  5 boot failed, 6 not ready in time, 7 isolation not proven, 8 smoke check failed,
  9 not available on this platform yet, 130 interrupted
`;

const OPTIONS = {
  json: { type: 'boolean' },
  bundle: { type: 'string' },
  image: { type: 'string', default: 'auto' },
  gpu: { type: 'string', default: 'auto' },
  debug: { type: 'boolean' },
  headless: { type: 'boolean' },
  appliance: { type: 'string' },
  hold: { type: 'boolean' },
  timeout: { type: 'string' },
  format: { type: 'string' },
  engine: { type: 'string', default: 'auto' },
  output: { type: 'string' },
  vendor: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`, EXIT.usage);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message.split('\n')[0]}; see ai-way --help`, EXIT.usage);
  }
  const { values: v, positionals: [command, ...rest] } = parsed;
  if (v.version) { process.stdout.write(`${VERSION}\n`); return EXIT.ok; }
  if (v.help) { process.stdout.write(HELP); return EXIT.ok; }
  const expectArgs = (n: number, usage: string) => {
    if (rest.length !== n) throw new CliError(`usage: ai-way ${usage}`, EXIT.usage);
  };
  switch (command) {
    case undefined:
    case 'run': {
      if (command === 'run') expectArgs(0, 'run [--headless] [--json] [--appliance NAME|PATH] [--hold] [--timeout S] [--engine auto|podman|bolt]');
      const timeoutS = v.timeout === undefined ? undefined : Number(v.timeout);
      if (timeoutS !== undefined && !(timeoutS > 0 && timeoutS <= MAX_TIMEOUT_S)) {
        throw new CliError(`--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S} (got "${v.timeout}")`, EXIT.usage);
      }
      const image = oneOf('image', v.image, ['auto', 'fedora', 'alpine'] as const);
      const gpu = oneOf('gpu', v.gpu, ['auto', 'none'] as const);
      const engine = oneOf('engine', v.engine, ['auto', 'podman', 'bolt'] as const);
      const appliance = v.appliance ?? DEFAULT_APPLIANCE;
      // A person at a terminal gets the UI; anything else (CI, a pipe) runs headless, and is told so.
      if (!v.headless && !v.json && process.stdout.isTTY && process.stdin.isTTY) {
        // The single executable carries the UI as its own bundle; a checkout loads the chunk.
        const ui = (await (embeddedUi() ?? (() => import('./ui/app.tsx')))()) as typeof import('./ui/app.tsx');
        return ui.runUi({ appliance, image, gpu, engine });
      }
      if (!v.headless && !v.json) process.stderr.write('ai-way: not a terminal, so running headless\n');
      const { runCommand } = await import('./commands/run.ts');
      return runCommand({ json: Boolean(v.json), headless: Boolean(v.headless), appliance: v.appliance ?? DEFAULT_APPLIANCE, hold: Boolean(v.hold), timeoutS,
        image, gpu, engine });
    }
    case 'doctor':
      expectArgs(0, 'doctor [--json] [--bundle DIR]');
      return (await import('./commands/doctor.ts')).doctorCommand({ json: Boolean(v.json), bundle: v.bundle });
    case 'plan':
      expectArgs(0, 'plan [--json] [--bundle DIR] [--image auto|fedora|alpine] [--gpu auto|none]');
      return (await import('./commands/plan.ts')).planCommand({ json: Boolean(v.json), bundle: v.bundle,
        image: oneOf('image', v.image, ['auto', 'fedora', 'alpine'] as const), gpu: oneOf('gpu', v.gpu, ['auto', 'none'] as const) });
    case 'bundle':
      if (rest[0] !== 'collect' || rest.length !== 2 || rest[1] === '') throw new CliError('usage: ai-way bundle collect DIR (a new or empty folder)', EXIT.usage);
      return (await import('./commands/bundle.ts')).bundleCollectCommand(rest[1]!);
    case 'gpu':
      if (rest[0] !== 'cdi' || rest.length !== 1) throw new CliError(`usage: ai-way gpu cdi [--bundle DIR] [--format json|yaml] [--output FILE] [--vendor ${PASSABLE_VENDORS.join('|')}]`, EXIT.usage);
      return (await import('./commands/gpu.ts')).gpuCdiCommand({ bundle: v.bundle, output: v.output,
        format: v.format === undefined ? undefined : oneOf('format', v.format, ['json', 'yaml'] as const),
        vendor: v.vendor === undefined ? undefined : oneOf('vendor', v.vendor, PASSABLE_VENDORS) });
    case 'export':
      if (rest[0] !== 'boltfile' || rest.length !== 1) throw new CliError('usage: ai-way export boltfile [--appliance NAME|PATH] [--bundle DIR] [--output FILE]', EXIT.usage);
      return (await import('./commands/export.ts')).exportBoltfileCommand({ appliance: v.appliance ?? DEFAULT_APPLIANCE, bundle: v.bundle, output: v.output,
        image: oneOf('image', v.image, ['auto', 'fedora', 'alpine'] as const), gpu: oneOf('gpu', v.gpu, ['auto', 'none'] as const) });
    default:
      throw new CliError(`unknown command "${command}"; see ai-way --help`, EXIT.usage);
  }
}

/** One line (a stack under --debug) on stderr; its text may have come from the appliance. */
function reportError(e: unknown, debug: boolean): number {
  if (e instanceof CliError) {
    process.stderr.write(`ai-way: ${terminalText(e.message)}\n`);
    return e.exitCode;
  }
  const message = terminalText(String((e as Error)?.message ?? e));
  process.stderr.write(debug ? `${(e as Error)?.stack ?? String(e)}\n` : `ai-way: unexpected error: ${message} (run again with --debug for details)\n`);
  return EXIT.internal;
}

const exitAfterOutput = (code: number) => process.stdout.write('', () => process.exit(code));

export async function runCli(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  // A reader that stops early (`ai-way doctor | head -1`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(EXIT.ok); });
  catchCrashes((e) => exitAfterOutput(reportError(e, debug)));
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    code = reportError(e, debug);
  }
  // Double-clicked on Windows (no arguments, a console of its own): keep the window open on
  // failure so the message can be read.
  if (process.platform === 'win32' && argv.length === 0 && code !== EXIT.ok && process.stdin.isTTY) {
    process.stderr.write('\nPress any key to close this window.\n');
    process.stdin.setRawMode(true);
    await new Promise((resolve) => process.stdin.once('data', resolve));
  }
  // Exit now: a command stuck in the kernel (a wedged GPU driver) must not keep ai-way alive.
  exitAfterOutput(code);
}
