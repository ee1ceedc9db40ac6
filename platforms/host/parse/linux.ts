// Plain Linux facts: /proc/meminfo, /proc/cpuinfo, /proc/modules, /proc/version, /etc/os-release, ldconfig -p.
import { lines } from '../text.ts';

/** MemTotal in bytes, or null. */
export function parseMeminfoTotal(text: string): number | null {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

export interface CpuInfo {
  count: number | null;
  model: string | null;
  flags: Set<string>;
}

export function parseCpuinfo(text: string): CpuInfo {
  let count = 0;
  let model: string | null = null;
  const flags = new Set<string>();
  for (const row of lines(text)) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(row);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'processor') count++;
    else if (model === null && (key === 'model name' || key === 'Model' || key === 'cpu model')) model = value.trim() || null;
    else if (flags.size === 0 && (key === 'flags' || key === 'Features')) value.split(/\s+/).filter(Boolean).forEach((f) => flags.add(f));
  }
  return { count: count || null, model, flags };
}

/** Names of loaded kernel modules. */
export function parseModules(text: string): Set<string> {
  return new Set(lines(text).map((l) => l.split(' ')[0]!).filter(Boolean));
}

export type WslKind = 'wsl1' | 'wsl2' | null;

/** WSL from a kernel version string: WSL2 kernels say "microsoft-standard", WSL1 reports "-Microsoft". */
export function wslKindFromKernel(text: string | null | undefined): WslKind {
  if (!text) return null;
  if (/microsoft-standard|WSL2/i.test(text)) return 'wsl2';
  if (/\d-Microsoft\b/.test(text)) return 'wsl1';
  if (/microsoft/i.test(text)) return 'wsl2';
  return null;
}

export interface OsRelease {
  id: string | null;
  idLike: string[];
  prettyName: string | null;
  versionId: string | null;
}

export function parseOsRelease(text: string): OsRelease {
  const kv = new Map<string, string>();
  for (const row of lines(text)) {
    const m = /^([A-Z_]+)=(.*)$/.exec(row.trim());
    if (m) kv.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return {
    id: kv.get('ID')?.toLowerCase() ?? null,
    idLike: (kv.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    prettyName: kv.get('PRETTY_NAME') ?? null,
    versionId: kv.get('VERSION_ID') ?? null,
  };
}

export interface LdconfigEntry {
  name: string;
  /** "libc6,x86-64", "libc6,AArch64", "libc6" (32-bit x86) ... */
  abi: string;
  path: string;
}

/** `ldconfig -p`: "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1", in cache order. */
export function parseLdconfig(text: string): LdconfigEntry[] {
  const entries: LdconfigEntry[] = [];
  for (const row of lines(text)) {
    const m = /^\s+(\S+)\s+\(([^)]*)\)(?:\s+OS ABI:[^=]*)?\s+=>\s+(\S+)\s*$/.exec(row);
    if (m) entries.push({ name: m[1]!, abi: m[2]!, path: m[3]! });
  }
  return entries;
}

/** The NVIDIA driver's own user-space libraries (not the container toolkit's libnvidia-container). */
export const isNvidiaDriverLibrary = (name: string): boolean =>
  /^lib(cuda|cudadebugger|nvcuvid|nvoptix|nvidia-(?!container)[\w+-]+|(EGL|GLX|GLESv2|GLESv1_CM)_nvidia)\.so(\.|$)/.test(name);

/** Folders the linker cache names for NVIDIA driver libraries. */
export function nvidiaLibraryFolders(ldconfigText: string): string[] {
  const dirs = parseLdconfig(ldconfigText).filter((e) => isNvidiaDriverLibrary(e.name)).map((e) => e.path.slice(0, e.path.lastIndexOf('/')));
  return [...new Set(dirs)].filter(Boolean).sort();
}

/** The first "N.N[.N]" in text, or null (for "--version" answers). */
export function firstVersion(text: string): string | null {
  return /(\d+\.\d+(?:\.\d+)*(?:[-+~][0-9A-Za-z.]+)?)/.exec(text)?.[1] ?? null;
}

