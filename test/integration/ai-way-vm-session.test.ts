// The ai-way appliance in a QEMU virtual machine with the project's tiny model: the model enters as
// a read-only drive that the guest's init copies into memory and binds at /model/model.gguf. Every
// isolation fact proven (the model's mount among them), ready, a Markdown file in, an answer that
// cites it, the wipe, and no QEMU and no file left.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../launcher/exit-codes.ts';
import { cannotBoot, ROOT } from '../support/guest-boot.ts';
import { sessionScratch, startRun, takeSessionTurns } from '../support/sessions.ts';
import { expectGuestFacts, stillRunningAfter, vmRunner, vmsOf, waitFor } from '../support/vm-sessions.ts';

const MODEL = path.join(ROOT, 'build/models/tiny-llama.gguf');

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the session tests run as root';
  const why = cannotBoot('x86_64', 'alpine', ROOT, 'ai-way');
  if (why) return `${why} (the ai-way image is built by npm run build after npm run setup)`;
  return null;
}
const why = unavailable();
if (why) console.warn(`SKIPPING the ai-way appliance in a QEMU virtual machine: ${why}`);

const { scratch, runs, folders } = sessionScratch('ai-way-vm-appliance-');

describe.skipIf(why)('the ai-way appliance in a QEMU virtual machine, x86_64, with the tiny model', () => {
  takeSessionTurns();

  it('proves every fact (the read-only model too), answers citing a Markdown file, wipes, leaves nothing', {
    timeout: 600_000,
  }, async () => {
    const started = Date.now();
    const runner = vmRunner();
    folders.push(runner.tmp, runner.cache);
    const run = startRun(runner, ['--platform', 'qemu', '--arch', 'x86_64', '--appliance', 'ai-way', '--model', MODEL, '--hold']);
    runs.push(run);
    const vms = await waitFor(() => vmsOf(run.child.pid!), 60_000);
    expect(vms).toHaveLength(1);
    try {
      // Under emulation the guest unpacks a 150 MB initramfs and Node starts slowly: generous time-outs.
      const verified = await run.next('verified', 300_000);
      expectGuestFacts(verified.facts);
      expect(verified.facts.find((f: { id: string }) => f.id === 'model')).toMatchObject({ ok: true });
      expect(verified.proven).toBe(true);
      expect(await run.next('smoke', 240_000)).toMatchObject({ ok: true, status: 200 });
      expect(await run.next('ready', 60_000)).toMatchObject({ platform: 'qemu', guest: { flavor: 'alpine', arch: 'x86_64' } });
      console.log(`ai-way in QEMU (x86_64, tiny model): start to ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      writeFileSync(
        path.join(scratch, 'harbour.md'),
        '# Harbour notes\n\nThe lighthouse keeper logs every ship that passes the harbour.\n',
      );
      run.send({ op: 'add', path: path.join(scratch, 'harbour.md') });
      expect(await run.next('uploaded', 60_000)).toMatchObject({ name: 'harbour.md' });
      const deadline = Date.now() + 120_000;
      for (;;) {
        run.send({ op: 'http', method: 'GET', path: '/documents' });
        const docs: { name: string; status: string }[] = JSON.parse((await run.next('answer', 30_000)).body).documents;
        const doc = docs.find((d) => d.name === 'harbour.md');
        if (doc?.status !== 'indexing' || Date.now() > deadline) {
          expect(doc).toMatchObject({ status: 'indexed' });
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      run.send({ op: 'http', method: 'POST', path: '/ask', body: 'Which ship passes the harbour?' });
      const answer = await run.next('answer', 240_000);
      expect(answer).toMatchObject({ status: 200 });
      expect(answer.tokens).toBeGreaterThan(0);
      expect(answer.sources.map((s: { file: string }) => s.file)).toContain('harbour.md');

      run.send({ op: 'quit' });
      await run.next('wiped', 60_000);
      expect(await run.exit).toBe(EXIT.ok);
      expect(await stillRunningAfter(vms, 5_000)).toEqual([]);
      expect([readdirSync(runner.tmp), readdirSync(runner.cache)]).toEqual([[], []]);
    } finally {
      for (const pid of await stillRunningAfter(vms, 0)) process.kill(pid, 'SIGKILL');
    }
  });
});
