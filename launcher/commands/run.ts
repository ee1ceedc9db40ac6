// `ai-way run`: boot an appliance, prove its isolation, wait for it, smoke-test it, wipe it.
import path from 'node:path';
import { makePlan, type Plan, type PlanAppliance, type PlanOptions } from '../../appliance/plan.ts';
import { loadManifest, ManifestError } from '../../appliance/manifest.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { loadReport } from '../host-source.ts';
import { packageRoot } from '../package-root.ts';
import { EMBEDDED_ROOT, isSingleExecutable, readCarried } from '../../platforms/embedded.ts';
import { renderEvent } from '../render/events.ts';
import { styleFor } from '../render/style.ts';
import { Session, SessionError, type BootHead } from '../session/session.ts';
import { ensureImage, reapOrphans } from '../../platforms/linux/podman.ts';
import type { SessionEvent } from '../session/events.ts';
import { onCrash } from '../crash.ts';

export interface RunOptions extends PlanOptions {
  json: boolean;
  headless: boolean;
  appliance: string;
  hold: boolean;
  timeoutS?: number;
}

/** A name is one of the shipped appliances (images/<name>/appliance.toml); anything with a slash is a path. */
export function manifestPath(appliance: string): string {
  if (/[\\/]|\.toml$/.test(appliance)) return path.resolve(appliance);
  return path.join(isSingleExecutable() ? EMBEDDED_ROOT : packageRoot(), 'images', appliance, 'appliance.toml');
}

/** The appliance's manifest, from a file or from what this ai-way carries. */
export const loadAppliance = (appliance: string) => loadManifest(manifestPath(appliance), readCarried);

export async function runCommand(o: RunOptions): Promise<number> {
  const style = styleFor(process.stdout);
  const emit = (e: SessionEvent) => process.stdout.write(`${o.json ? JSON.stringify(e) : renderEvent(e, style)}\n`);
  const fail = (code: string, exitCode: number, message: string, detail?: string) => {
    emit({ type: 'error', code, exitCode, message, ...(detail ? { detail } : {}) });
    return exitCode;
  };

  // The manifest, the host probe, the reaping of crashed sessions and the image check all run at once.
  const reaping = reapOrphans().catch(() => []);
  let spec;
  try { spec = await loadAppliance(o.appliance); } catch (e) {
    if (e instanceof ManifestError) return fail('manifest', EXIT.badInput, (e as Error).message);
    throw e;
  }
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const images = new Map(Object.values(spec.images).flatMap((byArch) => (byArch?.[arch] ? [byArch[arch]] : []))
    .map((source) => [source, ensureImage(source)] as const));
  for (const p of images.values()) p.catch(() => undefined); // failures surface when the chosen one is awaited
  const { report } = await loadReport(undefined);
  const podman = report.prerequisites.find((p) => p.id === 'podman')!;
  if (podman.status === 'missing') return fail('prerequisite', EXIT.prerequisiteMissing, `${podman.detail}. ${podman.fix ?? ''} ${podman.fixCommand ?? ''}`.trim());
  const plan = makePlan(report, o, spec);
  for (const w of plan.warnings) emit({ type: 'warning', message: w });
  if (plan.errors.length) return fail('plan', EXIT.prerequisiteMissing, plan.errors.join('; '));
  if (plan.platform.adapter !== 'linux') {
    throw new CliError(`this version starts appliances on Linux only (this computer needs the ${plan.platform.adapter} way)`, EXIT.notImplemented);
  }
  const ready = plan as Plan & { appliance: PlanAppliance };
  return runSession(ready, o, emit, fail, { reaping, image: images.get(ready.appliance.image), podmanVersion: report.tools.podman.version });
}

/**
 * In `--hold --json` mode each line on stdin is a command: {"op":"add","path":...},
 * {"op":"list"}, {"op":"http","method":"POST","path":...,"body":...}, {"op":"quit"}; answers are events.
 */
function serveCommands(session: Session, emit: (e: SessionEvent) => void, stop: (why: string) => void): void {
  let queue = Promise.resolve();
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines.filter((l) => l.trim())) queue = queue.then(() => serveOne(session, line, emit, stop));
  });
}

async function serveOne(session: Session, line: string, emit: (e: SessionEvent) => void, stop: (why: string) => void): Promise<void> {
  let c: { op?: string; path?: string; method?: string; body?: string };
  try { c = JSON.parse(line); } catch { emit({ type: 'refused', message: `not a JSON command: ${line.slice(0, 80)}` }); return; }
  try {
    if (c.op === 'add' && typeof c.path === 'string') emit({ type: 'uploaded', ...(await session.addFile(c.path)) });
    else if (c.op === 'list') { const l = await session.listFiles(); emit({ type: 'files', files: l.files, freeBytes: l.freeBytes, totalBytes: l.totalBytes }); }
    else if (c.op === 'http' && typeof c.path === 'string') emit({ type: 'answer', ...(await session.ask(String(c.method ?? 'POST'), c.path, String(c.body ?? ''))) });
    else if (c.op === 'quit') stop('quit');
    else emit({ type: 'refused', message: `unknown command: ${line.slice(0, 80)}` });
  } catch (e) {
    emit({ type: 'refused', message: (e as Error).message });
  }
}

async function runSession(plan: Plan & { appliance: PlanAppliance }, o: RunOptions, emit: (e: SessionEvent) => void,
  fail: (code: string, exitCode: number, message: string, detail?: string) => number, early: BootHead): Promise<number> {
  const session = new Session(plan, emit, early);
  const forgetCrash = onCrash(() => session.wipe('an unexpected error'));
  // The appliance going away by itself ends whatever the run is waiting for.
  const lost = session.lost.then((e) => { throw e; });
  lost.catch(() => undefined);
  let ready = false;
  let stop!: (why: string) => void;
  const stopped = new Promise<string>((resolve) => { stop = resolve; });
  const onSignal = (sig: NodeJS.Signals) => stop(sig);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  const timer = o.timeoutS === undefined ? undefined : setTimeout(() => stop('timeout'), o.timeoutS * 1000);
  try {
    const outcome = await Promise.race([session.boot().then(() => 'booted'), stopped, lost]);
    if (outcome !== 'booted') {
      await session.wipe(outcome);
      return outcome === 'timeout' ? fail('timeout', EXIT.healthTimeout, `the appliance was not ready within ${o.timeoutS} s`) : EXIT.interrupted;
    }
    ready = true;
    if (!(await Promise.race([session.smoke(), lost]))) return await session.wipe('smoke failed').then(() => EXIT.smokeFailed);
    if (o.hold) {
      process.stdin.on('end', () => stop('stdin closed'));
      if (o.json) serveCommands(session, emit, stop);
      process.stdin.resume();
      await Promise.race([stopped, lost]);
    }
    await session.wipe(o.hold ? 'the session ended' : 'the headless run is complete');
    return EXIT.ok;
  } catch (e) {
    await session.wipe('error').catch(() => undefined);
    if (e instanceof SessionError) return fail(e.code, e.exitCode, e.message, e.detail || session.logTail(5));
    if (!ready) return fail('boot', EXIT.bootFailed, `the appliance did not start: ${(e as Error).message}`, session.logTail(5));
    throw e;
  } finally {
    forgetCrash();
    clearTimeout(timer);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
    process.stdin.pause();
  }
}
