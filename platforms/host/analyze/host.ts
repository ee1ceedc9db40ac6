// Which host this is: platform, architecture, memory, cores, virtualization. Each fact comes from
// whichever artifact carries it; "unknown" only when none does.
import type { Arch, HostReport, Platform } from '../report.ts';
import type { ParsedArtifacts } from '../parsed.ts';
import { kernelFromProcVersion, wslKindFromKernel, type WslKind } from '../parse/linux.ts';
import { parseSysctlValue } from '../parse/macos.ts';
import { cimBool, parseFormatList, parseSysteminfoVirtualization } from '../parse/windows.ts';
import { wslDistributions } from './tools.ts';
import type { Notes } from '../vendors/vendor.ts';

/** What the virtualization verdict rests on, where the prerequisite should say so. */
export type VirtualizationBasis = 'processor-flags' | 'other';

export interface HostFacts {
  host: HostReport['host'];
  virtualizationBasis: VirtualizationBasis;
}

export function analyzeHostFacts(p: ParsedArtifacts, notes: Notes): HostFacts {
  const a = p.raw;
  const wsl = a.host.os === 'linux' ? wslKind(p) : null;
  const platform: Platform = a.host.os === 'win32' ? 'windows' : a.host.os === 'darwin' ? 'macos' : wsl === 'wsl2' ? 'wsl2' : 'linux';
  const procVersion = p.file('/proc/version');
  const virtualization = virtualizationOf(p, platform, notes);
  return {
    host: {
      platform,
      arch: hostArch(p, notes),
      memBytes: memBytes(p, notes),
      cpus: cpus(p, notes),
      cpuModel: macBrand(p) ?? a.host.cpuModel?.trim() ?? p.cpuinfo?.model ?? windowsCpu(p),
      virtualization: virtualization.verdict,
      osName: p.osRelease?.prettyName ?? (a.host.os === 'darwin' ? 'macOS' : a.host.os === 'win32' ? 'Windows' : null),
      kernel: a.host.os === 'win32' ? null : (a.host.release ?? (procVersion === null ? null : kernelFromProcVersion(procVersion))),
      wslVersion: wsl === 'wsl2' ? 2 : wsl === 'wsl1' ? 1 : null,
      kvm: a.host.os === 'linux' ? kvmOf(p) : { device: null, modules: null },
    },
    virtualizationBasis: virtualization.basis,
  };
}

/**
 * WSL from the kernel's name; a WSL2 kernel built under another name still shows Windows' GPU
 * channel (/dev/dxg) or the driver folder Windows shares (/usr/lib/wsl/lib).
 */
function wslKind(p: ParsedArtifacts): WslKind {
  const procVersion = p.file('/proc/version');
  const named = wslKindFromKernel(p.raw.host.release) ?? wslKindFromKernel(procVersion);
  if (named) return named;
  const shared = (f: string) => f.startsWith('/usr/lib/wsl/lib/');
  const sharedLibraries = [...p.listing.entries.keys()].some(shared) || p.ldconfig.some((e) => shared(e.path));
  return p.devices?.includes('/dev/dxg') || sharedLibraries ? 'wsl2' : null;
}

function hostArch(p: ParsedArtifacts, notes: Notes): Arch | null {
  const host = p.raw.host;
  // An x64 ai-way under Rosetta or Windows' x64 emulation still runs on an arm64 machine.
  if (host.os === 'darwin' && /^Apple/.test(macBrand(p) ?? '')) return 'aarch64';
  const winArch = host.env?.PROCESSOR_ARCHITEW6432 ?? host.env?.PROCESSOR_ARCHITECTURE;
  if (host.os === 'win32' && winArch) {
    if (/^ARM64$/i.test(winArch)) return 'aarch64';
    if (/^AMD64$/i.test(winArch)) return 'x86_64';
  }
  if (host.arch === 'x64') return 'x86_64';
  if (host.arch === 'arm64') return 'aarch64';
  notes.push(`host architecture "${host.arch}" is not one ai-way has images for`);
  return null;
}

function memBytes(p: ParsedArtifacts, notes: Notes): number | null {
  if (p.memTotalBytes !== null) return p.memTotalBytes;
  const sysctl = p.command('sysctl-hw.memsize');
  const fromSysctl = sysctl?.ok ? Number(parseSysctlValue(sysctl.out, 'hw.memsize')) : NaN;
  if (Number.isSafeInteger(fromSysctl) && fromSysctl > 0) return fromSysctl;
  const fromWindows = Number(windowsValue(p, 'win32-computersystem', 'TotalPhysicalMemory'));
  if (Number.isSafeInteger(fromWindows) && fromWindows > 0) return fromWindows;
  if (p.raw.host.totalMemBytes !== undefined) return p.raw.host.totalMemBytes;
  notes.push(
    'memory size unknown: neither /proc/meminfo, sysctl hw.memsize, Win32_ComputerSystem nor host.json totalMemBytes ' + 'was recorded',
  );
  return null;
}

function cpus(p: ParsedArtifacts, notes: Notes): number | null {
  if (p.raw.host.cpus) return p.raw.host.cpus;
  const count = p.cpuinfo?.count ?? null;
  if (count === null) notes.push('number of processor cores unknown');
  return count;
}

function macBrand(p: ParsedArtifacts): string | null {
  return p.once('sysctl-machdep.cpu.brand_string', () => {
    const r = p.command('sysctl-machdep.cpu.brand_string');
    return r?.ok ? parseSysctlValue(r.out, 'machdep.cpu.brand_string') : null;
  });
}

/** A property of the first object a PowerShell Format-List printed. */
function windowsValue(p: ParsedArtifacts, command: string, property: string): string | undefined {
  return p.once(command, () => {
    const r = p.command(command);
    return r?.ok ? parseFormatList(r.out)[0] : undefined;
  })?.[property];
}

const windowsCpu = (p: ParsedArtifacts): string | null => windowsValue(p, 'win32-processor', 'Name')?.trim() || null;

/** /dev/kvm, and the kernel's KVM modules (built in or loaded: /sys/module lists both); null where not recorded. */
function kvmOf(p: ParsedArtifacts): HostReport['host']['kvm'] {
  const listed = p.raw.listing?.length ? [...p.listing.entries.keys()] : null;
  return {
    device: p.devices === null ? null : p.devices.includes('/dev/kvm'),
    modules: listed?.flatMap((l) => /^\/sys\/module\/(kvm\w*)$/.exec(l)?.slice(1) ?? []).sort() ?? null,
  };
}

type Virtualization = { verdict: HostReport['host']['virtualization']; basis: VirtualizationBasis };

function virtualizationOf(p: ParsedArtifacts, platform: Platform, notes: Notes): Virtualization {
  const by = (verdict: Virtualization['verdict'], basis: VirtualizationBasis = 'other'): Virtualization => ({ verdict, basis });
  switch (platform) {
    case 'windows':
      return by(windowsVirtualization(p, notes));
    case 'macos': {
      const hv = p.command('sysctl-kern.hv_support');
      const v = hv?.ok ? parseSysctlValue(hv.out, 'kern.hv_support') : null;
      if (v === '1') return by('available');
      if (v === '0') return by('disabled');
      if (/^Apple/.test(macBrand(p) ?? '')) return by('available'); // every Apple Silicon Mac has it
      notes.push('virtualization unknown: sysctl kern.hv_support was not recorded');
      return by('unknown');
    }
    case 'wsl2':
    case 'linux': {
      if (p.devices?.includes('/dev/kvm')) return by('available');
      if (platform === 'wsl2') return by('available'); // WSL2 is itself a virtual machine: the host has it on
      const flag = p.cpuinfo?.virtualizationFlag ?? null;
      if (flag === false && p.cpuinfo?.underHypervisor) notes.push('this Linux is itself a virtual machine without nested virtualization');
      if (p.devices !== null || flag === false) return by('disabled');
      if (flag) {
        notes.push('virtualization: the processor supports it (vmx or svm); /dev/kvm was not checked');
        return by('available', 'processor-flags');
      }
      notes.push("virtualization unknown: neither /dev/kvm nor the processor's flags were recorded");
      return by('unknown');
    }
  }
}

function windowsVirtualization(p: ParsedArtifacts, notes: Notes): HostReport['host']['virtualization'] {
  // A running hypervisor (Hyper-V, WSL2) answers the question; firmware flags read False under it.
  if (cimBool(windowsValue(p, 'win32-computersystem', 'HypervisorPresent')) === true) return 'available';
  const firmware = cimBool(windowsValue(p, 'win32-processor', 'VirtualizationFirmwareEnabled'));
  if (firmware !== null) return firmware ? 'available' : 'disabled';
  const si = p.command('systeminfo');
  const fromSysteminfo = si?.ok ? parseSysteminfoVirtualization(si.out) : null;
  if (fromSysteminfo) return fromSysteminfo;
  // A WSL 2 distribution exists only where the virtual machine platform runs.
  if (wslDistributions(p).some((d) => d.version === 2)) {
    notes.push('virtualization inferred from the WSL 2 distributions present');
    return 'available';
  }
  notes.push('virtualization unknown: Win32_ComputerSystem, Win32_Processor and systeminfo gave no answer');
  return 'unknown';
}
