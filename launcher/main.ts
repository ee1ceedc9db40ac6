// ai-way's command line: parse, dispatch, and turn every failure into one clear line and an exit code.
import { Failure } from '../appliance/failures.ts';
import { EXIT } from './exit-codes.ts';
import { embeddedUi } from '../platforms/embedded.ts';
import { catchCrashes } from './crash.ts';
import { terminalText } from './render/terminal-text.ts';
import { failureLine } from './render/failure.ts';
import { DEFAULT_APPLIANCE } from './cli/commands.ts';
import { commandHelp, overview } from './cli/help.ts';
import { commandFor, parseCommandLine } from './cli/parse.ts';
// Commands load on demand: `--version` and `doctor` must not pay for the session code.

declare const AI_WAY_VERSION: string;
const VERSION = typeof AI_WAY_VERSION === 'string' ? AI_WAY_VERSION : '0.0.0-dev';

export async function main(argv: string[]): Promise<number> {
  const { command, named, args, values: v } = parseCommandLine(argv);
  const say = (text: string) => {
    process.stdout.write(text);
    return EXIT.ok;
  };
  if (v.version) return say(`${VERSION}\n`);
  if (v.help) return say(named ? commandHelp(command) : overview(VERSION));
  const appliance = v.appliance ?? DEFAULT_APPLIANCE;
  const plan = {
    image: v.image ?? 'auto',
    gpu: v.gpu ?? 'auto',
    engine: v.engine ?? 'auto',
    platform: v.platform ?? 'auto',
    arch: v.arch ?? 'auto',
    isolation: v.isolation ?? 'auto',
    model: v.model,
  } as const;
  switch (command.words[0]) {
    case 'help':
      return say(args.length ? commandHelp(commandFor(args, true)) : overview(VERSION));
    case 'run': {
      // A person at a terminal gets the UI; anything else (CI, a pipe, a CI report asked for) runs headless, and is told so.
      const headlessAsked = Boolean(v.headless || v.json || v.junit !== undefined || v.smoke !== undefined);
      if (!headlessAsked && process.stdout.isTTY && process.stdin.isTTY) {
        // The single executable carries the UI as its own bundle; a checkout loads the chunk.
        const ui = (await (embeddedUi() ?? (() => import('./ui/app.tsx')))()) as typeof import('./ui/app.tsx');
        return ui.runUi({ appliance, ...plan });
      }
      if (!headlessAsked) process.stderr.write('ai-way: not a terminal, so running headless\n');
      const { runCommand } = await import('./commands/run.ts');
      const [json, headless, hold] = [Boolean(v.json), Boolean(v.headless), Boolean(v.hold)];
      return runCommand({ json, headless, hold, timeoutS: v.timeout, appliance, junit: v.junit, smoke: v.smoke, ...plan });
    }
    case 'doctor':
      return (await import('./commands/doctor.ts')).doctorCommand({ json: Boolean(v.json), bundle: v.bundle });
    case 'plan':
      return (await import('./commands/plan.ts')).planCommand({ json: Boolean(v.json), bundle: v.bundle, appliance, ...plan });
    case 'bundle':
      return (await import('./commands/bundle.ts')).bundleCollectCommand(args[0]!);
    case 'gpu':
      return (await import('./commands/gpu.ts')).gpuCdiCommand({ bundle: v.bundle, output: v.output, format: v.format, vendor: v.vendor });
    case 'images':
      return (await import('./commands/images.ts')).imagesCommand({ json: Boolean(v.json) });
    case 'models':
      return (await import('./commands/models.ts')).modelsCommand(command.words[1]!, args, { json: Boolean(v.json), name: v.name });
    case 'ps':
      return (await import('./commands/ps.ts')).psCommand({ json: Boolean(v.json) });
    case 'stop':
      return (await import('./commands/ps.ts')).stopCommand(args[0], Boolean(v.all));
    case 'export': {
      const exports = await import('./commands/export.ts');
      if (command.words[1] === 'boltfile') return exports.exportBoltfileCommand({ appliance, bundle: v.bundle, output: v.output, ...plan });
      const [imageRef, runtimeClass, modelClaim] = [v['image-ref'], v['runtime-class'], v['model-claim']];
      const gpu = v.gpu as string | undefined; // a count here (the command's own --gpu)
      return exports.exportKubernetesCommand({
        appliance,
        output: v.output,
        image: v.image,
        arch: v.arch,
        gpu,
        vendor: v.vendor,
        imageRef,
        runtimeClass,
        modelClaim,
      });
    }
    default:
      throw new Error(`the command table names "${command.words.join(' ')}", which main does not run`);
  }
}

/** One line (a stack under --debug) on stderr; its text may have come from the appliance. */
function reportError(e: unknown, debug: boolean): number {
  if (e instanceof Failure) {
    process.stderr.write(`${failureLine(e)}${debug && e.stack ? `${e.stack}\n` : ''}`);
    return e.exitCode;
  }
  const message = terminalText(String((e as Error)?.message ?? e));
  process.stderr.write(
    debug ? `${(e as Error)?.stack ?? String(e)}\n` : `ai-way: unexpected error: ${message} (run again with --debug for details)\n`,
  );
  return EXIT.internal;
}

const exitAfterOutput = (code: number) => process.stdout.write('', () => process.exit(code));

export async function runCli(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  // A reader that stops early (`ai-way doctor | head -1`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
  });
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
