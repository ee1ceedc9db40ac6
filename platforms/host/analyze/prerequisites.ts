// What must be in place before the appliance can start, each with a fix a non-expert can follow.
import type { ParsedArtifacts } from '../parsed.ts';
import { gpuLabel, type GpuReport, type GpuVerdict, type HostReport, type Prerequisite, type PrerequisiteId } from '../report.ts';
import { vendorModule } from '../vendors/index.ts';
import type { DriverFix } from '../vendors/vendor.ts';
import type { VirtualizationBasis } from './host.ts';

export const GiB = 1024 ** 3;
export const MIN_MEMORY_BYTES = 4 * GiB;
export const RECOMMENDED_MEMORY_BYTES = 16 * GiB;
const MIN_PODMAN = [3, 4];

type Facts = Pick<HostReport, 'host' | 'gpus' | 'tools'> & { virtualizationBasis: VirtualizationBasis };

function prereq(
  id: PrerequisiteId,
  title: string,
  p: Omit<Prerequisite, 'id' | 'title' | 'ok' | 'fix' | 'fixCommand'> & { fix?: string; fixCommand?: string },
): Prerequisite {
  return {
    id,
    title,
    ok: p.status !== 'missing',
    status: p.status,
    required: p.required,
    detail: p.detail,
    fix: p.fix ?? null,
    fixCommand: p.fixCommand ?? null,
  };
}

export function analyzePrerequisites(p: ParsedArtifacts, f: Facts): Prerequisite[] {
  return [memory(f), podman(p, f), wsl(f), lima(f), virtualization(f), gpuDriver(p, f)];
}

const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

function memory(f: Facts): Prerequisite {
  const mem = f.host.memBytes;
  if (mem === null)
    return prereq('memory', 'Memory', {
      status: 'unknown',
      required: true,
      detail: 'ai-way could not read how much memory this computer has',
    });
  if (mem < MIN_MEMORY_BYTES) {
    return prereq('memory', 'Memory', {
      status: 'missing',
      required: true,
      detail: `${gib(mem)} of memory; ai-way needs at least ${gib(MIN_MEMORY_BYTES)}`,
      fix: 'This computer needs more memory (RAM) than it has to run the appliance; closing programs does not change that.',
    });
  }
  const note = mem < RECOMMENDED_MEMORY_BYTES ? ` (${gib(RECOMMENDED_MEMORY_BYTES)} or more lets it use larger models)` : '';
  return prereq('memory', 'Memory', { status: 'ok', required: true, detail: `${gib(mem)} of memory${note}` });
}

function podmanInstallCommand(p: ParsedArtifacts): string {
  const os = p.osRelease;
  const family = [os?.id, ...(os?.idLike ?? [])];
  if (family.some((d) => d === 'debian' || d === 'ubuntu')) return 'sudo apt-get install -y podman uidmap';
  if (family.some((d) => d === 'fedora' || d === 'rhel' || d === 'centos')) return 'sudo dnf install -y podman';
  if (family.some((d) => d === 'arch')) return 'sudo pacman -S --needed podman';
  if (family.some((d) => d?.startsWith('opensuse') || d === 'suse')) return 'sudo zypper install -y podman';
  if (family.includes('alpine')) return 'sudo apk add podman';
  return 'install "podman" with your distribution\'s package manager';
}

/** Whether a version is at least `min`; null when it says no number. */
export function versionAtLeast(version: string | null, min: readonly number[]): boolean | null {
  const parts = version?.match(/\d+/g)?.map(Number);
  if (!parts) return null;
  for (let i = 0; i < min.length; i++) {
    const p = parts[i] ?? 0;
    if (p !== min[i]) return p > min[i]!;
  }
  return true;
}

function podman(a: ParsedArtifacts, f: Facts): Prerequisite {
  const title = 'Container engine (Podman)';
  if (f.host.platform === 'windows' || f.host.platform === 'macos') {
    return prereq('podman', title, {
      status: 'not-needed',
      required: false,
      detail: "ai-way brings its own inside the appliance's Linux environment",
    });
  }
  const p = f.tools.podman;
  const install = podmanInstallCommand(a);
  if (!p.found) {
    return prereq('podman', title, {
      status: 'missing',
      required: true,
      detail: 'Podman is not installed',
      ...(install.startsWith('sudo')
        ? { fix: 'Install Podman, the program that runs the appliance:', fixCommand: install }
        : { fix: `Install Podman, the program that runs the appliance: ${install}.` }),
    });
  }
  if (versionAtLeast(p.version, MIN_PODMAN) === false) {
    return prereq('podman', title, {
      status: 'missing',
      required: true,
      detail: `Podman ${p.version} is too old; ai-way needs ${MIN_PODMAN.join('.')} or newer`,
      fix: "Update Podman with your system's software updater, or install a newer release.",
    });
  }
  if (p.works === false) {
    return prereq('podman', title, {
      status: 'missing',
      required: true,
      detail: `Podman ${p.version ?? ''} is installed but does not work for this user: ${String(p.error)}`.replace('  ', ' '),
      fix:
        'Run "podman info" to see the full error; for rootless use, the user needs entries in /etc/subuid and /etc/subgid ' +
        '(sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER).',
    });
  }
  const profile = p.profile as { flags: string[] } | null | undefined;
  const learned = profile
    ? `; a test container showed it needs ${profile.flags.length ? profile.flags.join(' ') : 'no extra flags'} here`
    : '';
  return prereq('podman', title, {
    status: 'ok',
    required: true,
    detail: `Podman ${p.version ?? '(version unknown)'} is installed${learned}`,
  });
}

function wsl(f: Facts): Prerequisite {
  const title = 'Windows Subsystem for Linux';
  if (f.host.wslVersion === 1) {
    return prereq('wsl', title, {
      status: 'missing',
      required: true,
      detail: 'this Linux runs under WSL 1, which cannot run the appliance',
      fix: 'In PowerShell, convert this distribution to WSL 2, then start ai-way again.',
      fixCommand: 'wsl --set-version <distribution name> 2',
    });
  }
  if (f.host.platform !== 'windows')
    return prereq('wsl', title, { status: 'not-needed', required: false, detail: 'only needed on Windows' });
  const w = f.tools.wsl;
  if (!w.found) {
    return prereq('wsl', title, {
      status: 'missing',
      required: true,
      detail: 'wsl.exe is not on this Windows',
      fix: 'ai-way needs Windows 10 version 2004 or later, or Windows 11, with updates installed.',
    });
  }
  if (w.predatesWsl2) {
    return prereq('wsl', title, {
      status: 'missing',
      required: true,
      detail: 'this Windows\' WSL predates WSL 2 (it knows no "--list --verbose")',
      fix: 'ai-way needs Windows 10 version 2004 or later, or Windows 11, with updates installed.',
    });
  }
  if (!w.installed) {
    return prereq('wsl', title, {
      status: 'missing',
      required: true,
      detail: 'WSL is not installed',
      fix: 'Open PowerShell as Administrator, run the command below, then restart the computer.',
      fixCommand: 'wsl --install --no-distribution',
    });
  }
  if (w.version === null) {
    return prereq('wsl', title, {
      status: 'ok',
      required: true,
      detail: 'WSL is installed (the old built-in version; an update is recommended)',
      fixCommand: 'wsl --update',
    });
  }
  return prereq('wsl', title, { status: 'ok', required: true, detail: `WSL ${w.version} is installed` });
}

/** The oldest Lima ai-way's settings are written for: 1.0, where vz is the default on a Mac and plain mode is there. */
export const MIN_LIMA: readonly number[] = [1, 0, 0];

function lima(f: Facts): Prerequisite {
  const title = 'Lima (Linux virtual machines on macOS)';
  if (f.host.platform !== 'macos') return prereq('lima', title, { status: 'not-needed', required: false, detail: 'only needed on macOS' });
  const l = f.tools.limactl;
  if (!l.found) {
    return prereq('lima', title, {
      status: 'missing',
      required: true,
      detail: 'Lima is not installed',
      fix: 'Install Lima with Homebrew (see https://brew.sh to get Homebrew first).',
      fixCommand: 'brew install lima',
    });
  }
  if (versionAtLeast(l.version, MIN_LIMA) === false) {
    return prereq('lima', title, {
      status: 'missing',
      required: true,
      detail: `Lima ${l.version} is older than ${MIN_LIMA.join('.')}, the oldest that reads ai-way's virtual machine settings`,
      fix: 'Update Lima with Homebrew.',
      fixCommand: 'brew upgrade lima',
    });
  }
  return prereq('lima', title, { status: 'ok', required: true, detail: `Lima ${l.version ?? '(version unknown)'} is installed` });
}

function virtualization(f: Facts): Prerequisite {
  const title = 'Hardware virtualization';
  const v = f.host.virtualization;
  const needed = f.host.platform === 'windows' || f.host.platform === 'macos';
  if (v === 'available') {
    const detail = f.virtualizationBasis === 'processor-flags' ? 'supported by the processor; /dev/kvm not checked' : 'available';
    return prereq('virtualization', title, { status: 'ok', required: needed, detail });
  }
  if (!needed) {
    return prereq('virtualization', title, {
      status: v === 'unknown' ? 'unknown' : 'not-needed',
      required: false,
      detail:
        v === 'disabled'
          ? 'not available (only the extra-isolated virtual machine mode needs it)'
          : 'could not be checked (only the extra-isolated virtual machine mode needs it)',
    });
  }
  if (v === 'unknown') return prereq('virtualization', title, { status: 'unknown', required: true, detail: 'could not be checked' });
  return prereq('virtualization', title, {
    status: 'missing',
    required: true,
    detail: "turned off in this computer's firmware",
    fix:
      'Restart the computer, open its firmware settings (UEFI/BIOS; usually F2, F10, F12 or Del at start), ' +
      'turn on "Intel Virtualization Technology (VT-x)" or "SVM Mode" (AMD), save and restart.',
  });
}

// Verdicts a driver fix can change; the others are fine, unknown, or beyond any driver.
const FIXABLE: ReadonlySet<GpuVerdict> = new Set([
  'no-driver',
  'not-loaded',
  'wrong-driver',
  'driver-mismatch',
  'driver-failed',
  'blocked',
  'missing-node',
  'not-listed',
  'no-tool',
]);

function gpuDriver(p: ParsedArtifacts, f: Facts): Prerequisite {
  const title = 'Graphics card driver';
  const say = (status: Prerequisite['status'], detail: string, fix?: DriverFix) =>
    prereq('gpu-driver', title, { status, required: false, detail, ...fix });
  if (f.gpus.length === 0) return say('not-needed', 'no graphics card to use; the appliance runs on the processor');
  const fixes = new Map<GpuReport, DriverFix>();
  for (const g of f.gpus) {
    const fix = !g.usable && g.vendor !== 'other' && FIXABLE.has(g.verdict) ? vendorModule(g.vendor).fix?.(g, f.host.platform, p) : null;
    if (fix) fixes.set(g, fix);
  }
  const [broken] = fixes.keys();
  if (broken) return say('missing', `${gpuLabel(broken)}: ${broken.reason}`, fixes.get(broken));
  const usable = f.gpus.filter((g) => g.usable);
  const driverOf = (g: GpuReport) => `${gpuLabel(g)}: ${g.driver.name}${g.driver.version ? ` ${g.driver.version}` : ''}`;
  if (usable.length) return say('ok', usable.map(driverOf).join('; '));
  const unchecked = f.gpus.find((g) => g.verdict === 'unchecked');
  if (unchecked) return say('unknown', `${gpuLabel(unchecked)}: ${unchecked.reason}`);
  return say('not-needed', `${f.gpus[0]!.reason}; the appliance runs on the processor`);
}
