// A stand-in for a running Session, for UI tests: its answers are fed by the test, piece by piece,
// through the real decoder (the pieces are what the ai-way app's contract says it sends), and what
// the UI asked of it is recorded. It is not the app: the real end-to-end run drives that.
import { AnswerDecoder, type AnswerPiece } from '../../launcher/session/answer-stream.ts';
import type { AppStatus, DocumentState } from '../../launcher/session/app-api.ts';
import { STOPPED, HttpRefused } from '../../launcher/session/http.ts';
import type { Session } from '../../launcher/session/session.ts';
import type { Answer } from '../../launcher/session/smoke.ts';
import type { UiController } from '../../launcher/ui/controller.ts';

export function fakeSession(o: { contentType?: string; status?: AppStatus | null; documents?: DocumentState[] } = {}) {
  const log: string[] = [];
  let feed: ((text: string) => void) | null = null;
  let finish: (() => void) | null = null;
  const session = {
    async askAnswer(
      _method: string,
      _path: string,
      question: string,
      a: { onPieces?: (p: AnswerPiece[], streamed: boolean) => void; signal?: AbortSignal },
    ): Promise<Answer> {
      log.push(`ask ${question}`);
      const d = new AnswerDecoder(o.contentType ?? 'application/x-ndjson');
      return new Promise<Answer>((resolve, reject) => {
        a.signal?.addEventListener('abort', () => {
          log.push('connection closed');
          reject(new HttpRefused(STOPPED));
        });
        feed = (text) => {
          const p = d.push(text);
          if (p.length) a.onPieces?.(p, d.lines);
        };
        finish = () => {
          const p = d.end();
          if (p.length) a.onPieces?.(p, d.lines);
          resolve({ status: 200, streamed: d.lines, ...d.result() });
        };
      });
    },
    appStatus: async () => {
      log.push('status');
      return o.status ?? null;
    },
    documentState: async (name: string) => o.documents?.find((d) => d.name === name) ?? null,
    addFile: async (p: string) => ({ name: p.split('/').pop()!, size: 10, sha256: '0'.repeat(64) }),
    listFiles: async () => ({ type: 'list' as const, files: [{ name: 'notes.md', size: 10 }], freeBytes: 100, totalBytes: 110 }),
    wipe: async () => {
      log.push('wipe');
    },
  };
  return {
    session,
    log,
    /** Text of the answer's body, as the app sends it. */
    send: (text: string) => feed!(text),
    end: () => finish!(),
    /** The controller, as if this session had booted with an appliance that takes questions at /ask. */
    attach: (c: UiController) => Object.assign(c, { session: session as unknown as Session, plan: { appliance: { ask: '/ask' } } }),
  };
}
