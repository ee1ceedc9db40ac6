// WSL's state from wsl.exe's recorded answers: by exit code first, then by what is never
// translated (error symbols, HRESULTs, links, the usage text), each case as quoted and as the
// UTF-16LE bytes an older wsl.exe writes; the localized answers of the host probe's recordings too.
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../platforms/host/text.ts';
import { signedExit, WSL_FIXES, wslState } from '../../platforms/wsl2/state.ts';
import { asUtf16le, fixtureCases } from './fixtures.ts';

const forms = (c: { bytes: Uint8Array; out: string }) =>
  [
    ['UTF-8', c.bytes],
    ['UTF-16LE', asUtf16le(c.out)],
  ] as const;

describe.each([...fixtureCases('wsl-state'), ...fixtureCases('wsl-session')])('wsl.exe says: $name', (c) => {
  it.each(forms(c))('%s', (_form, bytes) => {
    expect(wslState(c.expect.asked ?? 'other', decodeText(bytes), c.exit ?? (c.expect.state === 'ready' ? 0 : null))).toBe(c.expect.state);
  });
});

describe('localized answers: the same state whatever the language', () => {
  it.each(fixtureCases('wsl-version'))('wsl --version: $name', (c) => {
    const inbox = /inbox/.test(c.name);
    for (const [, bytes] of forms(c)) expect(wslState('version', decodeText(bytes), inbox ? null : 0)).toBe(inbox ? 'inbox' : 'ready');
  });
  it.each(fixtureCases('wsl-error').filter((c) => c.expect.wslInstalled === false))('$name', (c) => {
    for (const [, bytes] of forms(c)) expect(wslState('other', decodeText(bytes), null)).toBe('not-installed');
  });
});

describe('exit codes come first', () => {
  it('50, -444, 128 (to --version) and 3010 decide whatever the text', () => {
    expect(wslState('status', '', 50)).toBe('not-installed');
    expect(wslState('status', 'Default Version: 2', -444)).toBe('kernel-missing');
    expect(wslState('status', '', 2 ** 32 - 444)).toBe('kernel-missing');
    expect(wslState('version', '', 128)).toBe('inbox');
    expect(wslState('other', '', 3010)).toBe('reboot-pending');
    expect(signedExit(4294967295)).toBe(-1);
  });

  it('an English sentence alone decides nothing', () => {
    expect(wslState('status', 'The Windows Subsystem for Linux is not installed.', 1)).toBe('failed');
    expect(wslState('status', 'Please enable the Virtual Machine Platform Windows feature.', 0)).toBe('ready');
  });

  it('each state has its fix in plain words, with the command to type', () => {
    expect(WSL_FIXES['not-installed'].fix).toContain('wsl --install --no-distribution');
    expect(WSL_FIXES['kernel-missing'].fix).toContain('wsl --update --web-download');
    expect(WSL_FIXES['virtualization-off'].fix).toContain('firmware');
    expect(WSL_FIXES['reboot-pending'].fix).toBe('restart the computer');
  });
});
