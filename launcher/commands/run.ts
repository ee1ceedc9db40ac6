// `ai-way run`: boot an appliance, prove its isolation, wait for it, smoke-test it, wipe it. What
// happens goes to stdout, as JSON events or lines for a person; a failure is one line on stderr, and
// in JSON the closing `result` event carries it too. A person's run keeps the appliance's last words
// in the error log instead of printing them. CI's reports (JUnit, GitHub) are written at the end.
import type { PlanOptions } from '../../appliance/plan.ts';
import { asFailure, Failure } from '../../appliance/failures.ts';
import { loadSmokeFile, type SmokeFile } from '../../appliance/smoke-file.ts';
import { readRegularFile } from '../../platforms/bounded-read.ts';
import { EXIT } from '../exit-codes.ts';
import { writeErrorLog } from '../error-log.ts';
import { renderEvent } from '../render/events.ts';
import { failureLine } from '../render/failure.ts';
import { styleFor } from '../render/style.ts';
import { Launch } from '../session/launch.ts';
import type { Session } from '../session/session.ts';
import { jsonLine, type ResultEvent, type SessionEvent } from '../session/events.ts';
import type { AnswerPiece } from '../session/answer-stream.ts';
import { onCrash } from '../crash.ts';
import { newRecord, recordEvent } from '../ci/record.ts';
import { writeReports } from './run-reports.ts';

export interface RunOptions extends PlanOptions {
  json: boolean;
  headless: boolean;
  appliance: string;
  hold: boolean;
  timeoutS?: number;
  /** Where to write the run as JUnit XML. */
  junit?: string;
  /** A smoke file: documents and questions of the CI author's own, asked after the manifest's smoke check. */
  smoke?: string;
}

type Emit = (e: SessionEvent) => void;

export async function runCommand(o: RunOptions): Promise<number> {
  const started = Date.now();
  const style = styleFor(process.stdout);
  let record = newRecord(o.appliance, []);
  const emit = (e: SessionEvent) => {
    record = recordEvent(record, e);
    process.stdout.write(`${o.json ? jsonLine(e) : renderEvent(e, style)}\n`);
  };
  let log = '';
  let failure: Failure | null = null;
  let exitCode: number;
  try {
    const smoke = o.smoke === undefined ? null : await loadSmokeFile(o.smoke, readRegularFile);
    record = { ...record, planned: smoke?.questions.map((q) => q.ask) ?? [] };
    const named = (name: string) => {
      record = { ...record, appliance: name };
    };
    exitCode = await runAppliance(o, smoke, emit, named, (sessionLog) => {
      log = sessionLog;
    });
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    failure = e;
    exitCode = e.exitCode;
  }
  record = { ...record, durationMs: Date.now() - started, exitCode, failure, logTail: log.split('\n').slice(-50).join('\n') };
  if (o.json) process.stdout.write(`${jsonLine(resultEvent(exitCode, record.durationMs, failure))}\n`);
  if (failure) {
    const logFile = !o.json && (failure.detail || log) ? await writeErrorLog(failure.oneLine(), failure.detail, log) : null;
    process.stderr.write(failureLine(failure, logFile));
  }
  const reported = await writeReports(record, { junit: o.junit, json: o.json }, process.env);
  return reported ?? exitCode;
}

/** The last JSON line of a run: how it ended, and for a failure its code, message, fix and detail. */
function resultEvent(exitCode: number, durationMs: number, f: Failure | null): ResultEvent {
  if (!f) return { type: 'result', exitCode, reason: 'ok', durationMs };
  const { code, message, fix, detail } = f;
  return { type: 'result', exitCode, reason: code, durationMs, message, fix, ...(detail ? { detail } : {}) };
}

async function runAppliance(
  o: RunOptions,
  smoke: SmokeFile | null,
  emit: Emit,
  named: (name: string) => void,
  keepLog: (log: string) => void,
): Promise<number> {
  const launch = new Launch(o.appliance, o);
  const { report, spec } = await launch.examine();
  if (spec instanceof Failure) throw spec;
  named(spec.name);
  if (smoke && spec.app.ask === null)
    throw new Failure('manifest', `${spec.file}: the appliance names no [app] ask path, so --smoke has nowhere to ask its questions`, {
      fix: 'add ask = "/path" under [app], or run without --smoke',
    });
  const plan = launch.plan(report, spec, (message) => emit({ type: 'warning', message }));
  return runSession(await launch.session(plan, report, emit), o, smoke, emit, keepLog);
}

/**
 * In `--hold --json` mode each line on stdin is a command: {"op":"add","path":...},
 * {"op":"list"}, {"op":"http","method":"POST","path":...,"body":...}, {"op":"quit"}; answers are events. An answer
 * that streams JSON lines comes as answer-token events while it streams, then the whole answer.
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
    } else if (c.op === 'http' && typeof c.path === 'string') {
      const onPieces = (pieces: AnswerPiece[], streamed: boolean) => {
        // One event for the text one piece of the stream brought, not one per token.
        const text = pieces.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
        if (text && streamed) emit({ type: 'answer-token', text });
        for (const p of pieces) if (p.type === 'warning') emit({ type: 'warning', message: p.message });
      };
      const { streamed: _, ...answer } = await session.askAnswer(String(c.method ?? 'POST'), c.path, String(c.body ?? ''), { onPieces });
      emit({ type: 'answer', ...answer });
    } else if (c.op === 'quit') stop('quit');
    else emit({ type: 'refused', message: `unknown command: ${line.slice(0, 80)}` });
  } catch (e) {
    emit({ type: 'refused', message: (e as Error).message });
  }
}

async function runSession(
  session: Session,
  o: RunOptions,
  smoke: SmokeFile | null,
  emit: Emit,
  keepLog: (log: string) => void,
): Promise<number> {
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
    if (smoke) await Promise.race([session.smokeQuestions(smoke), lost]);
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
