// Which host this is: platform, architecture, memory, cores, virtualization.
import type { Artifacts } from '../artifacts.ts';
import type { Arch, HostReport, Platform } from '../report.ts';
import { commandText, fileText } from '../text.ts';
import { parseCpuinfo, parseMeminfoTotal, parseOsRelease, wslKindFromKernel } from '../parse/linux.ts';
import { parseSysctlValue } from '../parse/macos.ts';
import { cimBool, parseFormatList, parseSysteminfoVirtualization, parseWslListVerbose } from '../parse/windows.ts';

export type Notes = string[];

export function analyzeHostFacts(a: Artifacts, notes: Notes): HostReport['host'] {
  const procVersion = fileText(a, '/proc/version');
  const wsl = a.host.os === 'linux' ? wslKindFromKernel(a.host.release) ?? wslKindFromKernel(procVersion) : null;
  const platform: Platform = a.host.os === 'win32' ? 'windows' : a.host.os === 'darwin' ? 'macos' : wsl === 'wsl2' ? 'wsl2' : 'linux';
  return {
    platform,
    arch: hostArch(a, notes),
    memBytes: memBytes(a, notes),
    cpus: cpus(a, notes),
    cpuModel: cpuModel(a),
    virtualization: virtualization(a, platform, notes),
    osName: osName(a),
    kernel: a.host.os === 'win32' ? null : a.host.release ?? null,
    wslVersion: wsl === 'wsl2' ? 2 : wsl === 'wsl1' ? 1 : null,
  };
}

function hostArch(a: Artifacts, notes: Notes): Arch | null {
  // An x64 ai-way under Rosetta or Windows' x64 emulation still runs on an arm64 machine.
  if (a.host.os === 'darwin' && /^Apple/.test(macBrand(a) ?? '')) return 'aarch64';
  const winArch = a.host.env?.PROCESSOR_ARCHITEW6432 ?? a.host.env?.PROCESSOR_ARCHITECTURE;
  if (a.host.os === 'win32' && winArch) {
    if (/^ARM64$/i.test(winArch)) return 'aarch64';
    if (/^AMD64$/i.test(winArch)) return 'x86_64';
  }
  if (a.host.arch === 'x64') return 'x86_64';
  if (a.host.arch === 'arm64') return 'aarch64';
  notes.push(`host architecture "${a.host.arch}" is not one ai-way has images for`);
  return null;
}

function memBytes(a: Artifacts, notes: Notes): number | null {
  const meminfo = fileText(a, '/proc/meminfo');
  const fromProc = meminfo === null ? null : parseMeminfoTotal(meminfo);
  if (fromProc !== null) return fromProc;
  const sysctl = commandText(a, 'sysctl-hw.memsize');
  const fromSysctl = sysctl?.ok ? Number(parseSysctlValue(sysctl.out, 'hw.memsize')) : NaN;
  if (Number.isSafeInteger(fromSysctl) && fromSysctl > 0) return fromSysctl;
  if (a.host.totalMemBytes !== undefined) return a.host.totalMemBytes;
  notes.push('memory size unknown: neither /proc/meminfo, sysctl hw.memsize nor host.json totalMemBytes was recorded');
  return null;
}

function cpus(a: Artifacts, notes: Notes): number | null {
  if (a.host.cpus) return a.host.cpus;
  const cpuinfo = fileText(a, '/proc/cpuinfo');
  const count = cpuinfo === null ? null : parseCpuinfo(cpuinfo).count;
  if (count === null) notes.push('number of processor cores unknown');
  return count;
}

function macBrand(a: Artifacts): string | null {
  const r = commandText(a, 'sysctl-machdep.cpu.brand_string');
  return r?.ok ? parseSysctlValue(r.out, 'machdep.cpu.brand_string') : null;
}

function cpuModel(a: Artifacts): string | null {
  const cpuinfo = fileText(a, '/proc/cpuinfo');
  return macBrand(a) ?? a.host.cpuModel?.trim() ?? (cpuinfo === null ? null : parseCpuinfo(cpuinfo).model);
}

function osName(a: Artifacts): string | null {
  const osRelease = fileText(a, '/etc/os-release');
  if (osRelease !== null) return parseOsRelease(osRelease).prettyName;
  if (a.host.os === 'darwin') return 'macOS';
  if (a.host.os === 'win32') return 'Windows';
  return null;
}

function virtualization(a: Artifacts, platform: Platform, notes: Notes): HostReport['host']['virtualization'] {
  switch (platform) {
    case 'windows': return windowsVirtualization(a, notes);
    case 'macos': {
      const hv = commandText(a, 'sysctl-kern.hv_support');
      const v = hv?.ok ? parseSysctlValue(hv.out, 'kern.hv_support') : null;
      if (v === '1') return 'available';
      if (v === '0') return 'disabled';
      if (/^Apple/.test(macBrand(a) ?? '')) return 'available'; // every Apple Silicon Mac has it
      notes.push('virtualization unknown: sysctl kern.hv_support was not recorded');
      return 'unknown';
    }
    case 'wsl2':
    case 'linux': {
      if (a.devices?.includes('/dev/kvm')) return 'available';
      const cpuinfo = fileText(a, '/proc/cpuinfo');
      if (platform === 'wsl2') return 'available'; // WSL2 is itself a virtual machine: the host has it on
      if (cpuinfo === null || a.devices === null) {
        notes.push('virtualization unknown: /dev/kvm and /proc/cpuinfo were not both recorded');
        return 'unknown';
      }
      const flags = parseCpuinfo(cpuinfo).flags;
      if (!flags.has('vmx') && !flags.has('svm') && flags.has('hypervisor')) {
        notes.push('this Linux is itself a virtual machine without nested virtualization');
      }
      return 'disabled';
    }
  }
}

function windowsVirtualization(a: Artifacts, notes: Notes): HostReport['host']['virtualization'] {
  // A running hypervisor (Hyper-V, WSL2) answers the question; firmware flags read False under it.
  const cs = commandText(a, 'win32-computersystem');
  const hypervisor = cs?.ok ? cimBool(parseFormatList(cs.out)[0]?.HypervisorPresent) : null;
  if (hypervisor === true) return 'available';
  const cpu = commandText(a, 'win32-processor');
  const firmware = cpu?.ok ? cimBool(parseFormatList(cpu.out)[0]?.VirtualizationFirmwareEnabled) : null;
  if (firmware !== null) return firmware ? 'available' : 'disabled';
  const si = commandText(a, 'systeminfo');
  const fromSysteminfo = si?.ok ? parseSysteminfoVirtualization(si.out) : null;
  if (fromSysteminfo) return fromSysteminfo;
  // A WSL 2 distribution exists only where the virtual machine platform runs.
  const list = commandText(a, 'wsl-list-verbose');
  if (list && parseWslListVerbose(list.out, list.exit).some((d) => d.version === 2)) {
    notes.push('virtualization inferred from the WSL 2 distributions present');
    return 'available';
  }
  notes.push('virtualization unknown: Win32_ComputerSystem, Win32_Processor and systeminfo gave no answer');
  return 'unknown';
}
