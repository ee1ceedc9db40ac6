// A question typed at the ready screen goes to the app's ask endpoint; its answer streams into the
// exchange as it comes.
import type { Session } from '../session/session.ts';
import type { Exchange, Store } from './state.ts';

/** Asks the app at `endpoint` (the manifest's ask path; null when the app takes no questions). */
export async function askApp(session: Session, endpoint: string | null | undefined, store: Store, question: string): Promise<void> {
  const i = store.get().exchanges.length;
  const set = (f: (x: Exchange) => Partial<Exchange>) =>
    store.update((s) => ({ exchanges: s.exchanges.map((x, j) => (j === i ? { ...x, ...f(x) } : x)) }));
  store.update((s) => ({ exchanges: [...s.exchanges, { question, answer: '', done: false }] }));
  if (!endpoint) {
    set(() => ({ answer: 'This appliance takes no questions.', done: true, failed: true }));
    return;
  }
  try {
    const a = await session.ask('POST', endpoint, question, 300_000, (chunk) => set((x) => ({ answer: x.answer + chunk })));
    set(() => ({ answer: a.body, done: true, failed: a.status >= 400 }));
  } catch (e) {
    set(() => ({ answer: `No answer: ${(e as Error).message}`, done: true, failed: true }));
  }
}
