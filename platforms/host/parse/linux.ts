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
  /** x86 only (its "flags" line): whether the processor offers VT-x or AMD-V; null where it does not say. */
  virtualizationFlag: boolean | null;
  /** x86 only: the processor says it runs under a hypervisor. */
  underHypervisor: boolean;
}

export function parseCpuinfo(text: string): CpuInfo {
  let count = 0;
  let model: string | null = null;
  let x86 = false;
  const flags = new Set<string>();
  for (const row of lines(text)) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(row);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'processor') count++;
    else if (model === null && (key === 'model name' || key === 'Model' || key === 'cpu model')) model = value.trim() || null;
    else if (flags.size === 0 && (key === 'flags' || key === 'Features')) {
      x86 = key === 'flags';
      for (const f of value.split(/\s+/).filter(Boolean)) flags.add(f);
    }
  }
  return {
    count: count || null,
    model,
    flags,
    virtualizationFlag: x86 && flags.size > 0 ? flags.has('vmx') || flags.has('svm') : null,
    underHypervisor: x86 && flags.has('hypervisor'),
  };
}

/** Names of loaded kernel modules. */
export function parseModules(text: string): Set<string> {
  return new Set(
    lines(text)
      .map((l) => l.split(' ')[0]!)
      .filter(Boolean),
  );
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

/** The kernel release in /proc/version: "Linux version 5.15.133.1-microsoft-standard-WSL2 (...)". */
export function kernelFromProcVersion(text: string): string | null {
  return /^Linux version (\S+)/m.exec(text)?.[1] ?? null;
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

/** The first "N.N[.N]" in text, or null (for "--version" answers). */
export function firstVersion(text: string): string | null {
  return /(\d+\.\d+(?:\.\d+)*(?:[-+~][0-9A-Za-z.]+)?)/.exec(text)?.[1] ?? null;
}
