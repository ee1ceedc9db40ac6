// The tools ai-way drives, as found on the host.
import type { HostReport, ToolReport } from '../report.ts';
import type { ParsedArtifacts } from '../parsed.ts';
import { parseLimaList, parsePodmanInfo, parseToolVersion } from '../parse/tools.ts';
import { parseWslListVerbose, parseWslStatusDefaultVersion, parseWslVersion, wslAnswer, type WslDistro } from '../parse/windows.ts';
import type { Notes } from '../vendors/vendor.ts';

/**
 * A tool's `--version` answer. A shell that ran it and did not find it says so by exit code (127, or
 * cmd's 9009) or as "<shell>: <program>: ..." on stderr: then the tool is not installed.
 */
function versionTool(p: ParsedArtifacts, name: string, program: string, notes: Notes): ToolReport {
  const r = p.command(name);
  if (!r) return { found: false, version: null };
  if (r.timedOut) notes.push(`${name} did not answer in time and was stopped`);
  const version = r.timedOut ? null : parseToolVersion(r.out);
  const shellMissed =
    r.exit === 127 ||
    r.exit === 9009 ||
    (version === null && r.out.trim() === '' && new RegExp(`^\\S*sh: (?:line \\d+: )?${program}: `, 'm').test(r.err));
  if (shellMissed) return { found: false, version: null };
  return { found: true, version: r.ok ? version : null };
}

export function analyzeTools(p: ParsedArtifacts, notes: Notes): HostReport['tools'] {
  const podman = versionTool(p, 'podman-version', 'podman', notes);
  const info = p.command('podman-info-json');
  if (info) {
    const parsed = info.ok ? parsePodmanInfo(info.out) : null;
    Object.assign(podman, {
      works: info.ok,
      error: info.ok ? null : (firstLine(info.err) ?? (info.timedOut ? 'podman info did not answer in time' : 'podman info failed')),
      rootless: parsed?.rootless ?? null,
      cgroupManager: parsed?.cgroupManager ?? null,
      cgroupVersion: parsed?.cgroupVersion ?? null,
      ociRuntime: parsed?.ociRuntime ?? null,
    });
    podman.version ??= parsed?.version ?? null;
    podman.found = true;
  }
  const learned = p.command('ai-way-podman-profile');
  if (learned) podman.profile = parseLearnedProfile(learned.out);
  const limactl = versionTool(p, 'limactl-version', 'limactl', notes);
  const lima = p.command('limactl-list-json');
  if (lima?.ok) limactl.instances = parseLimaList(lima.out);
  if (lima) limactl.found = true;
  const qemu = versionTool(p, 'qemu-version', 'qemu-system-\\S+', notes);
  return { podman, wsl: wslTool(p), limactl, qemu, bolt: versionTool(p, 'bolt-version', 'bolt', notes) };
}

/** `wsl --list --verbose`'s distributions, parsed once for every part of the analysis. */
export function wslDistributions(p: ParsedArtifacts): WslDistro[] {
  return p.once('wsl-list-verbose', () => {
    const list = p.command('wsl-list-verbose');
    return list ? parseWslListVerbose(list.out, list.exit) : [];
  });
}

/** WSL's state from whichever of wsl.exe's answers were recorded, by exit codes and structure. */
function wslTool(p: ParsedArtifacts): ToolReport {
  const version = p.command('wsl-version');
  const status = p.command('wsl-status');
  const list = p.command('wsl-list-verbose');
  if (!version && !status && !list) return { found: false, version: null };
  const answers = { version, status, list };
  const shows = Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r && !r.timedOut ? wslAnswer(r.out, r.exit) : null]));
  const v = version && shows.version === 'answer' ? parseWslVersion(version.out, version.exit) : null;
  const distributions = wslDistributions(p);
  const all = Object.values(shows);
  // Any answer of the installed WSL (even its usage text, for an option it predates) shows it is installed.
  const installed =
    v?.wslVersion != null ||
    shows.status === 'answer' ||
    distributions.length > 0 ||
    all.some((s) => s === 'usage' || s === 'no-distributions');
  return {
    found: true,
    version: v?.wslVersion ?? null,
    kernelVersion: v?.kernelVersion ?? null,
    windowsVersion: v?.windowsVersion ?? null,
    installed,
    // --list --verbose came with WSL 2: a WSL that does not know it predates WSL 2.
    predatesWsl2: shows.list === 'usage',
    defaultVersion: status && shows.status === 'answer' ? parseWslStatusDefaultVersion(status.out) : null,
    distributions,
  };
}

export function firstLine(text: string): string | null {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? null
  );
}

/** ai-way's cached Podman profile: the flags a canary container showed this host needs. */
function parseLearnedProfile(text: string): { flags: string[] } | null {
  try {
    const p = JSON.parse(text)?.profile;
    if (!p || !Array.isArray(p.globalArgs)) return null;
    const flags = [...p.globalArgs, ...(p.nofileUlimit ? ['--ulimit nofile=1024:1024'] : [])].map(String);
    return { flags };
  } catch {
    return null;
  }
}
