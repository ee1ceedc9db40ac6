// Which kernel modules a guest's init must load, in order: the ones asked for and everything they
// depend on, dependencies first. A module names its dependencies in its own .modinfo section
// ("depends=virtio,virtio_ring"), so no depmod and no modules.dep are needed.

/** A module's name: its file name without .ko, dashes as underscores (as the kernel names it). */
export const moduleName = (file: string) => file.replace(/^.*\//, '').replace(/\.ko$/, '').replaceAll('-', '_');

/** The `depends=` list of a module file (a 64-bit little-endian ELF object). */
export function moduleDepends(ko: Uint8Array, what: string): string[] {
  const view = new DataView(ko.buffer, ko.byteOffset, ko.byteLength);
  if (ko.length < 64 || view.getUint32(0) !== 0x7f454c46 || ko[4] !== 2 || ko[5] !== 1)
    throw new Error(`${what} is not a 64-bit little-endian ELF module`);
  const shoff = Number(view.getBigUint64(0x28, true));
  const [shentsize, shnum, shstrndx] = [view.getUint16(0x3a, true), view.getUint16(0x3c, true), view.getUint16(0x3e, true)];
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    const offset = Number(view.getBigUint64(at + 0x18, true));
    return { name: view.getUint32(at, true), bytes: ko.subarray(offset, offset + Number(view.getBigUint64(at + 0x20, true))) };
  };
  const names = section(shstrndx).bytes;
  const nameOf = (at: number) => new TextDecoder().decode(names.subarray(at, names.indexOf(0, at)));
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s.name) !== '.modinfo') continue;
    const depends = new TextDecoder()
      .decode(s.bytes)
      .split('\0')
      .find((kv) => kv.startsWith('depends='));
    return depends?.slice('depends='.length).split(',').filter(Boolean) ?? [];
  }
  throw new Error(`${what} has no .modinfo section`);
}

/**
 * The modules to load for `wanted`, dependencies first. `files` maps a module's name to its file;
 * a name in `builtin` is part of the kernel already and needs nothing loaded.
 */
export function loadOrder(wanted: readonly string[], files: ReadonlyMap<string, Uint8Array>, builtin: ReadonlySet<string>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, from: string) => {
    if (order.includes(name) || builtin.has(name)) return;
    if (visiting.has(name)) throw new Error(`the modules ${[...visiting].join(', ')} depend on each other in a circle`);
    const ko = files.get(name);
    if (!ko) throw new Error(`the kernel has no module ${name} (${from})`);
    visiting.add(name);
    for (const dep of moduleDepends(ko, `${name}.ko`)) visit(dep, `needed by ${name}`);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of wanted) visit(name, 'asked for by the recipe');
  return order;
}
