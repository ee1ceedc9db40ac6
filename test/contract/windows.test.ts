import { describe, expect, it } from 'vitest';
import { asUtf16le, fixtureCases } from './fixtures.ts';
import { decodeText } from '../../platforms/host/text.ts';
import {
  parseSysteminfoVirtualization,
  parseWslListVerbose,
  parseWslStatusDefaultVersion,
  parseWslVersion,
  wslAnswer,
} from '../../platforms/host/parse/windows.ts';
import { wslKindFromKernel } from '../../platforms/host/parse/linux.ts';

// Each wsl.exe case runs twice: as quoted (UTF-8) and as the UTF-16LE bytes wsl.exe really writes.
const both = (c: { out: string }) => [c.out, decodeText(asUtf16le(c.out))];

describe.each(fixtureCases('wsl-version'))('wsl --version: $name', (c) => {
  it('reads the WSL, kernel and Windows versions in any language', () => {
    for (const text of both(c)) {
      // Old in-box WSL rejects --version with a non-zero exit; the quoted help text alone has no versions.
      const r = parseWslVersion(text, c.expect.versionFlagSupported === false ? (c.exit ?? -1) : c.exit);
      expect(r.wslVersion).toBe(c.expect.wslVersion ?? null);
      expect(r.kernelVersion).toBe(c.expect.kernelVersion ?? null);
      if (c.expect.windowsVersion) expect(r.windowsVersion).toBe(c.expect.windowsVersion);
    }
  });
});

describe.each(fixtureCases('wsl-status'))('wsl --status: $name', (c) => {
  it('reads the default WSL version', () => {
    for (const text of both(c)) expect(parseWslStatusDefaultVersion(text)).toBe(c.expect.defaultVersion ?? null);
  });
});

describe.each(fixtureCases('wsl-list-verbose'))('wsl --list --verbose: $name', (c) => {
  it('lists distributions with state, version and the default', () => {
    for (const text of both(c)) {
      const exit = c.expect.listVerboseSupported === false ? (c.exit ?? -1) : c.exit;
      const got = parseWslListVerbose(text, exit).map((d) => ({ name: d.name, state: d.state, version: d.version, default: d.isDefault }));
      expect(got).toEqual(c.expect.distros ?? []);
    }
  });
});

const wslAnswers = ['wsl-version', 'wsl-status', 'wsl-list-verbose', 'wsl-error']
  .flatMap((d) => fixtureCases(d).map((c) => ({ ...c, form: d })))
  .filter((c) => c.expect.wslInstalled !== undefined);

describe.each(wslAnswers)('what wsl.exe shows: $form $name', (c) => {
  it('says whether WSL is installed by exit code, error code and structure, in any language', () => {
    for (const text of both(c)) {
      const shows = wslAnswer(text, c.exit);
      expect(shows === 'answer' || shows === 'usage' || shows === 'no-distributions').toBe(c.expect.wslInstalled);
    }
  });
});

// uname -a of WSL1 on build 14393 ("3.4.0+") carries no trace of Microsoft: no kernel string can
// tell, and ai-way reports such a host as plain Linux (a known limit, in the README).
const KERNEL_ONLY_UNKNOWABLE = new Set(['wsl1-3-4-0-no-microsoft-string']);

describe.each(
  [...fixtureCases('proc-version-wsl'), ...fixtureCases('uname-a-wsl'), ...fixtureCases('uname-r-wsl')].filter(
    (c) => !KERNEL_ONLY_UNKNOWABLE.has(c.name),
  ),
)('kernel string inside WSL: $name', (c) => {
  it('tells WSL1 from WSL2', () => {
    expect(wslKindFromKernel(c.out)).toBe(c.expect.platform);
  });
});

describe.each(fixtureCases('systeminfo'))('systeminfo (English): $name', (c) => {
  it('reads whether virtualization is usable', () => {
    const want = c.expect.hypervisorPresent
      ? 'available'
      : c.expect.virtualizationFirmwareEnabled === true
        ? 'available'
        : c.expect.virtualizationFirmwareEnabled === false
          ? 'disabled'
          : null;
    expect(parseSysteminfoVirtualization(c.out)).toBe(want);
  });
});

describe.each(fixtureCases('win32-videocontroller'))('Win32_VideoController, as a list or a table: $name', (c) => {
  it('reads each adapter: name, vendor id, memory', async () => {
    const { parseVideoControllers } = await import('../../platforms/host/parse/windows.ts');
    const got = parseVideoControllers(c.out);
    expect(got.map((g) => g.name)).toEqual(c.expect.gpus.map((g: any) => g.name ?? null));
    c.expect.gpus.forEach((g: any, i: number) => {
      if (g.adapterRAM) expect(got[i]!.adapterRam).toBe(g.adapterRAM);
      if (g.pnpDeviceId) expect(got[i]!.vendorId).toBe(/VEN_([0-9A-F]{4})/i.exec(g.pnpDeviceId)![1]!.toLowerCase());
      if (g.driverVersion) expect(got[i]!.driverVersion).toBe(g.driverVersion);
    });
  });
});
