// The tools ai-way drives, as found on the host.
import type { Artifacts } from '../artifacts.ts';
import type { HostReport, ToolReport } from '../report.ts';
import { commandText } from '../text.ts';
import { parseLimaList, parsePodmanInfo, parseToolVersion } from '../parse/tools.ts';
import { parseWslListVerbose, parseWslStatusDefaultVersion, parseWslVersion } from '../parse/windows.ts';
import type { Notes } from './host.ts';

function versionTool(a: Artifacts, name: string, notes: Notes): ToolReport {
  const r = commandText(a, name);
  if (!r) return { found: false, version: null };
  if (r.timedOut) notes.push(`${name} did not answer in time and was stopped`);
  return { found: true, version: r.ok ? parseToolVersion(r.out) : null };
}

export function analyzeTools(a: Artifacts, notes: Notes): HostReport['tools'] {
  const podman = versionTool(a, 'podman-version', notes);
  const info = commandText(a, 'podman-info-json');
  if (info) {
    const parsed = info.ok ? parsePodmanInfo(info.out) : null;
    Object.assign(podman, {
      works: info.ok,
      error: info.ok ? null : firstLine(info.err) ?? (info.timedOut ? 'podman info did not answer in time' : 'podman info failed'),
      rootless: parsed?.rootless ?? null,
      cgroupManager: parsed?.cgroupManager ?? null,
      cgroupVersion: parsed?.cgroupVersion ?? null,
      ociRuntime: parsed?.ociRuntime ?? null,
    });
    podman.version ??= parsed?.version ?? null;
    podman.found = true;
  }
  const learned = commandText(a, 'ai-way-podman-profile');
  if (learned) podman.profile = parseLearnedProfile(learned.out);
  const limactl = versionTool(a, 'limactl-version', notes);
  const lima = commandText(a, 'limactl-list-json');
  if (lima?.ok) limactl.instances = parseLimaList(lima.out);
  return { podman, wsl: wslTool(a), limactl, qemu: versionTool(a, 'qemu-version', notes), bolt: versionTool(a, 'bolt-version', notes) };
}

function wslTool(a: Artifacts): ToolReport {
  const version = commandText(a, 'wsl-version');
  const status = commandText(a, 'wsl-status');
  const list = commandText(a, 'wsl-list-verbose');
  if (!version && !status && !list) return { found: false, version: null };
  const v = version ? parseWslVersion(version.out, version.exit) : null;
  return {
    found: true,
    version: v?.wslVersion ?? null,
    kernelVersion: v?.kernelVersion ?? null,
    windowsVersion: v?.windowsVersion ?? null,
    // wsl.exe is present on every recent Windows; it answers --status only once WSL is installed.
    installed: status?.ok === true || version?.ok === true,
    defaultVersion: status?.ok ? parseWslStatusDefaultVersion(status.out) : null,
    distributions: list ? parseWslListVerbose(list.out, list.exit) : [],
  };
}

export function firstLine(text: string): string | null {
  return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? null;
}

/** ai-way's cached Podman profile: the flags a canary container showed this host needs. */
function parseLearnedProfile(text: string): { flags: string[] } | null {
  try {
    const p = JSON.parse(text)?.profile;
    if (!p || !Array.isArray(p.globalArgs)) return null;
    const flags = [...p.globalArgs, ...(p.nofileUlimit ? ['--ulimit nofile=1024:1024'] : [])].map(String);
    return { flags };
  } catch { return null; }
}
