// `ai-way models add|list|remove`: the person's model store (platforms/host/model-store.ts). The
// appliance never downloads a model: this is how one gets there.
import { addModel, listModels, modelsDir, removeModel, storedFile } from '../../platforms/host/model-store.ts';
import { EXIT } from '../exit-codes.ts';
import { formatBytes } from '../render/doctor.ts';
import { styleFor } from '../render/style.ts';

export async function modelsCommand(action: string, args: string[], opts: { json: boolean; name?: string }): Promise<number> {
  const dir = modelsDir();
  const say = (text: string) => process.stdout.write(`${text}\n`);
  if (action === 'add') {
    const m = await addModel(dir, args[0]!, opts.name);
    if (m.already) say(`${args[0]} is in the store already, as ${m.name} (sha256 ${m.sha256})`);
    else {
      say(`added ${m.name}: ${formatBytes(m.bytes)}, ${m.architecture ?? 'unknown architecture'}, sha256 ${m.sha256}`);
      say(`  stored read-only as ${storedFile(dir, m)}; run it with --model ${m.name}`);
    }
  } else if (action === 'remove') {
    const m = await removeModel(dir, args[0]!);
    say(`removed ${m.name} (sha256 ${m.sha256})`);
  } else {
    const list = await listModels(dir);
    if (opts.json) say(JSON.stringify({ dir, models: list.map((m) => ({ ...m, file: storedFile(dir, m) })) }, null, 2));
    else if (!list.length) say(`No models in ${dir}; add one with "ai-way models add FILE.gguf"`);
    else {
      const s = styleFor(process.stdout);
      const width = Math.max(...list.map((m) => m.name.length));
      say(`Models in ${dir}:`);
      for (const m of list) {
        const size = formatBytes(m.bytes).padStart(9);
        say(`  ${s.bold(m.name.padEnd(width))}  ${size}  ${(m.architecture ?? '?').padEnd(8)}  ${s.dim(m.sha256)}`);
      }
    }
  }
  return EXIT.ok;
}
