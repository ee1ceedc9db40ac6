// An app that streams its answer as JSON lines, in a real appliance, headless: the smoke check adds
// its document, waits until the app lists it indexed, and wants an answer that streams and cites it;
// an ask streams answer-token events, then the whole answer with its sources and speed. The app is a
// stand-in: two shell CGI scripts that print what the ai-way app's contract says it prints (the lead
// runs the real app once the parts merge).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootlessUnavailable } from '../support/rootless.ts';
import { rootlessRuns, takeSessionTurns } from '../support/sessions.ts';
import { attackAppliance } from '../support/attack-appliance.ts';
import { EXIT } from '../../launcher/exit-codes.ts';

const why = rootlessUnavailable();
if (why) console.warn(`SKIPPING streamed answers: ${why}`);

// The stand-in ai-way app's /ask: the first workspace file as its source, three tokens, then done.
const STAND_IN_ASK = String.raw`printf 'Content-Type: application/x-ndjson\r\n\r\n'
[ -n "$CONTENT_LENGTH" ] && head -c "$CONTENT_LENGTH" >/dev/null
for f in /workspace/*; do
  [ -f "$f" ] || continue
  printf '{"type":"sources","sources":[{"file":"%s","passage":"%s","score":1.5}]}\n' "$(basename "$f")" "$(head -c 60 "$f" | tr -d '"\\\n')"
  break
done
for w in Red and white.; do printf '{"type":"token","text":"%s "}\n' "$w"; sleep 0.1; done
printf '{"type":"done","tokens":3,"tokensPerSecond":12.5,"backend":"cpu","ms":240}\n'`;
// Its /documents: every workspace file, indexed.
const STAND_IN_DOCUMENTS = String.raw`printf 'Content-Type: application/json\r\n\r\n'
printf '{"documents":['
sep=''
for f in /workspace/*; do
  [ -f "$f" ] || continue
  printf '%s{"name":"%s","bytes":1,"status":"indexed","chunks":1}' "$sep" "$(basename "$f")"
  sep=','
done
printf ']}\n'`;

/** The stand-in appliance, its smoke check asking about a document it adds first. */
function standIn(): string {
  const manifest = attackAppliance('stream', { cgi: { ask: STAND_IN_ASK, documents: STAND_IN_DOCUMENTS } });
  const notes = path.join(path.dirname(manifest), 'notes.md');
  writeFileSync(notes, 'The lighthouse on Kestrel Point is painted red and white in bands.\n');
  chmodSync(notes, 0o644);
  const text = readFileSync(manifest, 'utf8')
    .replace(/^ask = .*$/m, '$&\ndocuments = "/cgi-bin/documents"')
    .replace(
      /\[smoke\][\s\S]*$/,
      '[smoke]\nmethod = "POST"\npath = "/cgi-bin/ask"\nbody = "What colour?"\ndocument = "notes.md"\nexpect_source = "notes.md"\n',
    );
  writeFileSync(manifest, text);
  return manifest;
}

describe.skipIf(why !== null)('an answer that streams JSON lines, rootless', () => {
  takeSessionTurns();
  const { start, noLeftovers } = rootlessRuns();

  it('smoke: the document added and cited, the tokens counted; an ask streams tokens, then the whole answer', async () => {
    const run = start(['--hold', '--appliance', standIn()]);
    await run.next('ready', 120_000);
    expect(await run.next('smoke')).toMatchObject({ ok: true, status: 200, tokens: 3, tokensPerSecond: 12.5 });
    run.send({ op: 'http', method: 'POST', path: '/cgi-bin/ask', body: 'What colour?' });
    const answer = await run.next('answer');
    expect(answer).toMatchObject({
      status: 200,
      body: 'Red and white. ',
      sources: [{ file: 'notes.md', passage: expect.stringMatching(/^The lighthouse on Kestrel Point is painted/), score: 1.5 }],
      tokens: 3,
      tokensPerSecond: 12.5,
      backend: 'cpu',
      error: null,
    });
    const tokens = run.events.filter((e) => e.type === 'answer-token');
    expect(tokens.length).toBeGreaterThan(1); // as they came, not all at the end
    expect(tokens.map((e) => e.text).join('')).toBe('Red and white. ');
    run.child.stdin!.end();
    await run.next('wiped');
    expect(await run.exit).toBe(EXIT.ok);
    expect(await noLeftovers(run)).toEqual([]);
  }, 180_000);
});
