// The ai-way appliance in the terminal UI, in a real pseudo-terminal: boot with the project's tiny
// model, a Markdown file and a PDF dropped and indexed, a question whose answer streams in and names
// both files as its sources, a bad file refused with its reason, the details with the model, backend
// and speed, /quit: everything erased and nothing left.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyPdf } from '../support/pdf.ts';
import { leftovers, podman, terminal } from '../support/pty-terminal.ts';
import { ROOT } from '../support/rootless.ts';
import { takeSessionTurns } from '../support/sessions.ts';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const MODEL = path.join(ROOT, 'build/models/tiny-llama.gguf');
const why = !podman
  ? 'podman is not installed (npm run setup installs it)'
  : process.getuid?.() !== 0
    ? 'rootful Podman needs root'
    : !existsSync(path.join(ROOT, 'build/images', `ai-way-cpu-${ARCH}.oci.tar`))
      ? 'the build made no ai-way image: run npm run setup, then npm run build'
      : null;
if (why) console.warn(`SKIPPING the ai-way appliance in the terminal UI: ${why}`);

describe.skipIf(why)('terminal UI with the ai-way appliance', () => {
  takeSessionTurns();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-ui-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drop a Markdown file and a PDF → ask → the answer streams with both as sources → /quit erases', { timeout: 240_000 }, async () => {
    const md = path.join(dir, 'harbour.md');
    const pdf = path.join(dir, 'ledger.pdf');
    const fake = path.join(dir, 'fake.pdf');
    writeFileSync(md, '# Harbour\n\nThe lighthouse keeper logs every ship that passes the harbour.\n');
    writeFileSync(pdf, tinyPdf(['The ledger counts every ship by its harbour and its cargo.']));
    writeFileSync(fake, 'text, not a PDF');
    const t = terminal({}, [], { args: ['--appliance', 'ai-way', '--model', MODEL], cols: 100, rows: 40 });
    await t.waitFor('Ready. Drop files on this window, or type a question.', 180_000);
    for (const f of [md, pdf]) t.term.write(`\x1b[200~'${f}' \x1b[201~`);
    await t.waitFor(/harbour\.md[\s\S]*indexed \(\d+ passages?\)/, 30_000);
    await t.waitFor(/ledger\.pdf[\s\S]*indexed \(\d+ passages?\)/, 30_000);
    t.term.write(`\x1b[200~'${fake}' \x1b[201~`);
    await t.waitFor(/fake\.pdf[\s\S]*PDF/, 30_000);

    await t.type('Which ship passes the harbour?\r');
    await t.waitFor(/harbour\.md: /, 120_000);
    await t.waitFor(/ledger\.pdf: /, 10_000);
    await t.waitFor(/tokens\/s/, 120_000); // the speed comes once the answer is whole
    await t.type('/details\r');
    await t.waitFor(/Model\s+ai-way tiny llama/, 10_000);
    await t.waitFor(/Backend\s+cpu/, 10_000);
    await t.waitFor(/Speed\s+[\d.]+ tokens\/s/, 10_000);
    await t.type('\x1b');
    await t.quit();
    await t.waitFor(/Everything was erased \(\d+\.\d s\)\./, 30_000);
    expect(await t.exit).toBe(0);
    expect(leftovers(t)).toBe('');
  });
});
