// A question typed at the ready screen goes to the app's ask endpoint; its answer streams into the
// exchange as it comes (text, then its sources and speed), and what the app says of itself after it
// (its speed, its warnings) is read again for the details.
import type { AnswerPiece } from '../session/answer-stream.ts';
import { STOPPED } from '../session/http.ts';
import type { Session } from '../session/session.ts';
import type { Exchange, Store } from './state.ts';

const speed = (tokens: number | null, perSecond: number | null, backend: string | null): string | null => {
  const parts = [
    ...(tokens === null ? [] : [`${tokens} tokens`]),
    ...(perSecond === null ? [] : [`${perSecond.toFixed(1)} tokens/s`]),
    ...(backend === null ? [] : [backend]),
  ];
  return parts.length ? parts.join(' · ') : null;
};

/** The exchange once these pieces of its answer arrived. Pure. */
export function withPieces(x: Exchange, pieces: AnswerPiece[]): Exchange {
  let next = x;
  for (const p of pieces) {
    if (p.type === 'text') next = { ...next, answer: next.answer + p.text };
    else if (p.type === 'sources') next = { ...next, sources: [...(next.sources ?? []), ...p.sources] };
    else if (p.type === 'done') next = { ...next, speed: speed(p.tokens, p.tokensPerSecond, p.backend) };
    else if (p.type === 'error') next = { ...next, failed: true, notes: [...(next.notes ?? []), `The app could not answer: ${p.message}`] };
    else next = { ...next, notes: [...(next.notes ?? []), p.message] };
  }
  return next;
}

/** Whether some of exchange i's answer came. */
const someCame = (store: Store, i: number) => store.get().exchanges[i]?.answer !== '';

/** Asks the app at `endpoint` (the manifest's ask path; null when the app takes no questions); `signal` stops the answer at once. */
export async function askApp(
  session: Session,
  endpoint: string | null | undefined,
  store: Store,
  question: string,
  signal?: AbortSignal,
): Promise<void> {
  const i = store.get().exchanges.length;
  const set = (f: (x: Exchange) => Exchange) => store.update((s) => ({ exchanges: s.exchanges.map((x, j) => (j === i ? f(x) : x)) }));
  store.update((s) => ({ exchanges: [...s.exchanges, { question, answer: '', done: false }] }));
  if (!endpoint) {
    set((x) => ({ ...x, answer: 'This appliance takes no questions.', done: true, failed: true }));
    return;
  }
  try {
    const onPieces = (pieces: AnswerPiece[]) => set((x) => withPieces(x, pieces));
    const a = await session.askAnswer('POST', endpoint, question, { timeoutMs: 300_000, onPieces, signal });
    set((x) => ({ ...x, done: true, failed: x.failed || a.status >= 400 }));
  } catch (e) {
    const message = (e as Error).message;
    // Stopped by the person: what came so far stays, and says it was cut short.
    if (message === STOPPED) set((x) => ({ ...x, done: true, notes: [...(x.notes ?? []), 'Stopped.'] }));
    else if (!someCame(store, i)) set((x) => ({ ...x, answer: `No answer: ${message}`, done: true, failed: true }));
    else set((x) => ({ ...x, done: true, failed: true, notes: [...(x.notes ?? []), `The answer was cut short: ${message}`] }));
  }
  if (signal?.aborted) return; // quitting: the appliance is being erased, nothing more is asked of it
  const status = await session.appStatus().catch(() => null);
  if (status) store.update(() => ({ app: status }));
}
