// Windows and WSL answers. wsl.exe output is localized (even its colons: "：" in Chinese), so
// these parsers read positions and numbers, never English sentences, and exit codes come first.
import { lines, toInt } from '../text.ts';

const COLON = /[:：]/;

/** "label: value" lines in order, with either colon. */
function labelledValues(text: string): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const row of lines(text)) {
    const m = COLON.exec(row);
    if (!m) continue;
    out.push({ label: row.slice(0, m.index).trim(), value: row.slice(m.index + 1).trim() });
  }
  return out;
}

export interface WslVersionReport {
  wslVersion: string | null;
  kernelVersion: string | null;
  windowsVersion: string | null;
}

/**
 * `wsl.exe --version`: seven "label: version" lines in a fixed order whatever the language
 * (WSL, kernel, WSLg, MSRDC, Direct3D, DXCore, Windows). Old in-box WSL does not know the flag.
 */
export function parseWslVersion(text: string, exit: number | null): WslVersionReport {
  const none = { wslVersion: null, kernelVersion: null, windowsVersion: null };
  if (exit !== null && exit !== 0) return none;
  const versions = labelledValues(text)
    .filter((lv) => /^\d+(\.\d+)+/.test(lv.value))
    .map((lv) => lv.value.split(/\s/)[0]!);
  if (versions.length < 2) return none;
  return { wslVersion: versions[0]!, kernelVersion: versions[1]!, windowsVersion: versions.length >= 7 ? versions[6]! : null };
}

export interface WslDistro {
  name: string;
  state: string;
  version: number | null;
  isDefault: boolean;
}

/** `wsl.exe --list --verbose`: a header line, then "[*] NAME  STATE  VERSION" rows. */
export function parseWslListVerbose(text: string, exit: number | null): WslDistro[] {
  if (exit !== null && exit !== 0) return [];
  const rows = lines(text).filter((l) => l.trim() !== '');
  const distros: WslDistro[] = [];
  for (const row of rows.slice(1)) {
    const m = /^\s*(\*)?\s*(\S+)\s+(.+?)\s+(\d+)\s*$/.exec(row);
    if (!m) continue;
    distros.push({ name: m[2]!, state: m[3]!, version: Number(m[4]), isDefault: m[1] === '*' });
  }
  return distros;
}

/** `wsl.exe --status`: the default version is the line whose value is a lone 1 or 2. */
export function parseWslStatusDefaultVersion(text: string): 1 | 2 | null {
  for (const { value } of labelledValues(text)) {
    if (value === '1') return 1;
    if (value === '2') return 2;
  }
  return null;
}

/**
 * What one wsl.exe run shows, by exit code and structure (its words are localized; error codes,
 * links and its own name are not): an answer, its usage text (an option this WSL predates), no
 * distribution yet, WSL not installed, or another error.
 */
export type WslAnswer = 'answer' | 'usage' | 'no-distributions' | 'not-installed' | 'error';

export function wslAnswer(text: string, exit: number | null): WslAnswer {
  const code = /\bWsl\/[\w/]+/.exec(text)?.[0] ?? '';
  if (/OPTIONAL_COMPONENT/.test(code) || /\b0x8007019e\b/i.test(text)) return 'not-installed';
  if (/DEFAULT_DISTRO_NOT_FOUND/.test(code) || /aka\.ms\/wslstore/i.test(text)) return 'no-distributions';
  if (/\bwsl(\.exe)? \[/i.test(text) || lines(text).some((l) => /^\s+-{1,2}[a-z][\w-]*(,|\s|$)/i.test(l))) return 'usage';
  if (code || (exit !== null && exit !== 0)) return 'error';
  return 'answer';
}

/** PowerShell `Format-List` blocks: "Name : value" (property names are never localized). */
export function parseFormatList(text: string): Record<string, string>[] {
  const blocks: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  let lastKey: string | null = null;
  for (const row of lines(text)) {
    if (row.trim() === '') {
      current = null;
      lastKey = null;
      continue;
    }
    const m = /^(\w[\w.]*)\s*:\s?(.*)$/.exec(row);
    if (m) {
      if (!current) {
        current = {};
        blocks.push(current);
      }
      lastKey = m[1]!;
      current[lastKey] = m[2]!.trimEnd();
    } else if (current && lastKey && /^\s+\S/.test(row)) {
      current[lastKey] += row.trim(); // wrapped long value
    }
  }
  return blocks;
}

export const cimBool = (v: string | undefined): boolean | null => (v === 'True' ? true : v === 'False' ? false : null);

/** Windows caps Win32_VideoController.AdapterRAM at 32 bits; at the cap the card has 4 GiB or more. */
export const ADAPTER_RAM_CAP = 0xfff00000;

export interface WindowsVideoController {
  name: string | null;
  adapterRam: number | null;
  driverVersion: string | null;
  vendorId: string | null;
  deviceId: string | null;
  /** A software adapter (remote desktop, virtual display): its device id is not a PCI one. */
  virtual: boolean;
}

/**
 * PowerShell `Format-Table`: a header, a rule of dashes under each column, then one row each. The
 * dashes give the columns' positions; the last column runs to the end of the line.
 */
export function parseFormatTable(text: string): Record<string, string>[] {
  const rows = lines(text);
  const rule = rows.findIndex((l, i) => i > 0 && /^-+( +-+)*\s*$/.test(l) && rows[i - 1]!.trim() !== '');
  if (rule < 0) return [];
  const starts = [...rows[rule]!.matchAll(/-+/g)].map((m) => m.index!);
  const cell = (row: string, i: number) => row.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
  const names = starts.map((_, i) => cell(rows[rule - 1]!, i));
  const out: Record<string, string>[] = [];
  for (const row of rows.slice(rule + 1)) {
    if (row.trim() === '') break;
    out.push(Object.fromEntries(names.map((n, i) => [n, cell(row, i)])));
  }
  return out;
}

/** Win32_VideoController as Format-List (what the probe asks for) or Format-Table prints it. */
export function parseVideoControllers(text: string): WindowsVideoController[] {
  const table = parseFormatTable(text);
  return (table.length ? table : parseFormatList(text))
    .filter((b) => b.Name !== undefined || b.Caption !== undefined || b.PNPDeviceID !== undefined || b.AdapterRAM !== undefined)
    .map((b) => {
      const pnp = /VEN_([0-9A-Fa-f]{4})&DEV_([0-9A-Fa-f]{4})/.exec(b.PNPDeviceID ?? '');
      return {
        name: (b.Name ?? b.Caption)?.trim() || null, // the same text; Caption comes first in `fl *`
        adapterRam: toInt(b.AdapterRAM),
        driverVersion: b.DriverVersion?.trim() || null,
        vendorId: pnp?.[1]?.toLowerCase() ?? null,
        deviceId: pnp?.[2]?.toLowerCase() ?? null,
        virtual: b.PNPDeviceID !== undefined && b.PNPDeviceID.trim() !== '' && !/^PCI\\/i.test(b.PNPDeviceID.trim()),
      };
    });
}

/** The adapter's own memory, unless it reads at the cap (then it is 4 GiB or more: unknown). */
export const adapterVram = (c: WindowsVideoController): number | null =>
  c.adapterRam !== null && c.adapterRam >= ADAPTER_RAM_CAP ? null : c.adapterRam;

/** English `systeminfo` only (it is localized): the Hyper-V section, as a last resort. */
export function parseSysteminfoVirtualization(text: string): 'available' | 'disabled' | null {
  if (/A hypervisor has been detected/i.test(text)) return 'available';
  const fw = /Virtualization Enabled In Firmware:\s*(Yes|No)/i.exec(text)?.[1];
  if (fw) return /yes/i.test(fw) ? 'available' : 'disabled';
  return null;
}
