// `ai-way run`: boot an appliance, prove its isolation, wait for it, smoke-test it, wipe it. What
// happens goes to stdout, as JSON events or lines for a person; a failure is one line on stderr
// (and, in JSON, its `error` event too). A person's run keeps the appliance's last words in the
// error log instead of printing them.
import { makePlan, type Plan, type PlanAppliance, type PlanOptions } from '../../appliance/plan.ts';
import { asFailure, Failure } from '../../appliance/failures.ts';
import { EXIT } from '../exit-codes.ts';
import { loadAppliance } from '../appliance-source.ts';
import { writeErrorLog } from '../error-log.ts';
import { loadReport } from '../host-source.ts';
import { renderEvent } from '../render/events.ts';
import { failureLine } from '../render/failure.ts';
import { styleFor } from '../render/style.ts';
import { Session, type BootHead } from '../session/session.ts';
import { ensureImage, reapOrphans } from '../../platforms/linux/podman.ts';
import type { ErrorEvent, SessionEvent } from '../session/events.ts';
import { onCrash } from '../crash.ts';

export interface RunOptions extends PlanOptions {
  json: boolean;
  headless: boolean;
  appliance: string;
  hold: boolean;
  timeoutS?: number;
}

type Emit = (e: SessionEvent) => void;

export async function runCommand(o: RunOptions): Promise<number> {
  const style = styleFor(process.stdout);
  const emit = (e: SessionEvent) => process.stdout.write(`${o.json ? JSON.stringify(e) : renderEvent(e, style)}\n`);
  const json = (e: ErrorEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);
  let log = '';
  try {
    return await runAppliance(o, emit, (sessionLog) => {
      log = sessionLog;
    });
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    const { code, exitCode, message, fix, detail } = e;
    if (o.json) json({ type: 'error', code, exitCode, message, fix, ...(detail ? { detail } : {}) });
    const logFile = !o.json && (e.detail || log) ? await writeErrorLog(e.oneLine(), e.detail, log) : null;
    process.stderr.write(failureLine(e, logFile));
    return e.exitCode;
  }
}

async function runAppliance(o: RunOptions, emit: Emit, keepLog: (log: string) => void): Promise<number> {
  // The manifest, the host probe, the reaping of crashed sessions and the image check all run at once.
  const reaping = reapOrphans().catch(() => []);
  const spec = await loadAppliance(o.appliance);
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const images = new Map(
    Object.values(spec.images)
      .flatMap((byArch) => (byArch?.[arch] ? [byArch[arch]] : []))
      .map((source) => [source, ensureImage(source)] as const),
  );
  for (const p of images.values()) p.catch(() => undefined); // failures surface when the chosen one is awaited
  const { report } = await loadReport(undefined);
  const podman = report.prerequisites.find((p) => p.id === 'podman')!;
  if (podman.status === 'missing') {
    const fix = `${podman.fix ?? ''} ${podman.fixCommand ?? ''}`.trim();
    throw new Failure('prerequisite', podman.detail, fix ? { fix: `${fix[0]!.toLowerCase()}${fix.slice(1)}` } : {});
  }
  const plan = makePlan(report, o, spec);
  for (const w of plan.warnings) emit({ type: 'warning', message: w });
  if (plan.errors.length) throw new Failure('prerequisite', plan.errors.join('; '));
  if (plan.platform.adapter !== 'linux') {
    const way = plan.platform.adapter;
    throw new Failure('unsupported', `this version starts appliances on Linux only (this computer needs the ${way} way)`);
  }
  const ready = plan as Plan & { appliance: PlanAppliance };
  const early = { reaping, image: images.get(ready.appliance.image), podmanVersion: report.tools.podman.version };
  return runSession(ready, o, emit, keepLog, early);
}

/**
 * In `--hold --json` mode each line on stdin is a command: {"op":"add","path":...},
 * {"op":"list"}, {"op":"http","method":"POST","path":...,"body":...}, {"op":"quit"}; answers are events.
 */
function serveCommands(session: Session, emit: Emit, stop: (why: string) => void): void {
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

async function serveOne(session: Session, line: string, emit: Emit, stop: (why: string) => void): Promise<void> {
  let c: { op?: string; path?: string; method?: string; body?: string };
  try {
    c = JSON.parse(line);
  } catch {
    emit({ type: 'refused', message: `not a JSON command: ${line.slice(0, 80)}` });
    return;
  }
  try {
    if (c.op === 'add' && typeof c.path === 'string') emit({ type: 'uploaded', ...(await session.addFile(c.path)) });
    else if (c.op === 'list') {
      const l = await session.listFiles();
      emit({ type: 'files', files: l.files, freeBytes: l.freeBytes, totalBytes: l.totalBytes });
    } else if (c.op === 'http' && typeof c.path === 'string')
      emit({ type: 'answer', ...(await session.ask(String(c.method ?? 'POST'), c.path, String(c.body ?? ''))) });
    else if (c.op === 'quit') stop('quit');
    else emit({ type: 'refused', message: `unknown command: ${line.slice(0, 80)}` });
  } catch (e) {
    emit({ type: 'refused', message: (e as Error).message });
  }
}

async function runSession(
  plan: Plan & { appliance: PlanAppliance },
  o: RunOptions,
  emit: Emit,
  keepLog: (log: string) => void,
  early: BootHead,
): Promise<number> {
  const session = new Session(plan, emit, early);
  const forgetCrash = onCrash(() => session.wipe('an unexpected error'));
  // The appliance going away by itself ends whatever the run is waiting for.
  const lost = session.lost.then((e) => {
    throw e;
  });
  lost.catch(() => undefined);
  let ready = false;
  let stop!: (why: string) => void;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const onSignal = (sig: NodeJS.Signals) => stop(sig);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  const timer = o.timeoutS === undefined ? undefined : setTimeout(() => stop('timeout'), o.timeoutS * 1000);
  try {
    const outcome = await Promise.race([session.boot().then(() => 'booted'), stopped, lost]);
    if (outcome !== 'booted') {
      await session.wipe(outcome);
      if (outcome === 'timeout') throw new Failure('timeout', `the appliance was not ready within ${o.timeoutS} s, so it was erased`);
      throw new Failure('interrupted', `stopped by ${outcome} before the appliance was ready; everything was erased`);
    }
    ready = true;
    await Promise.race([session.smoke(), lost]);
    if (o.hold) {
      process.stdin.on('end', () => stop('stdin closed'));
      if (o.json) serveCommands(session, emit, stop);
      process.stdin.resume();
      await Promise.race([stopped, lost]);
    }
    await session.wipe(o.hold ? 'the session ended' : 'the headless run is complete');
    return EXIT.ok;
  } catch (e) {
    await session.wipe(e instanceof Failure ? e.code : 'error').catch(() => undefined);
    keepLog(session.logTail(200));
    // What the appliance said last is what explains a failure that brought no detail of its own.
    if (e instanceof Failure && (e.detail || e.code === 'interrupted')) throw e;
    if (e instanceof Failure) throw new Failure(e.code, e.message, { fix: e.fix, detail: session.logTail(5) });
    if (!ready) throw new Failure('boot', `the appliance did not start: ${asFailure(e, 'boot').message}`, { detail: session.logTail(5) });
    throw e;
  } finally {
    forgetCrash();
    clearTimeout(timer);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
    process.stdin.pause();
  }
}
