// Host reports the unit tests plan for, from recorded outputs: Linux with Podman, Windows with WSL 2
// ready (wsl.exe's answers in the UTF-16LE it writes), a Mac.
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { artifacts, fixture, type HostSpec } from './artifacts.ts';

export const utf16 = (bytes: Uint8Array) => new Uint8Array(Buffer.from(new TextDecoder().decode(bytes), 'utf16le'));

export const linuxHost = (commands: HostSpec['commands'] = {}) =>
  analyzeHost(artifacts({ host: { os: 'linux', arch: 'x64', totalMemBytes: 32 * 1024 ** 3, cpus: 8 }, commands }));
export const windowsHost = (commands: HostSpec['commands']) =>
  analyzeHost(
    artifacts({ host: { os: 'win32', release: '10.0.22621', env: { PROCESSOR_ARCHITECTURE: 'AMD64' } }, devices: null, commands }),
  );
/** Windows with WSL 2 installed and the hypervisor running: everything the WSL2 way asks for. */
export const windowsReady = () =>
  windowsHost({
    'wsl-version': utf16(fixture('wsl-version', 'de-1-0-3')),
    'wsl-status': utf16(fixture('wsl-status', 'en-debian-no-kernel-line')),
    'wsl-list-verbose': utf16(fixture('wsl-list-verbose', 'en-single-ubuntu')),
    systeminfo: fixture('systeminfo', 'en-hyperv-section-hypervisor-detected'),
  });
export const macHost = () =>
  analyzeHost(artifacts({ host: { os: 'darwin', arch: 'arm64', totalMemBytes: 16 * 1024 ** 3 }, devices: null }));
export const podman = { 'podman-version': fixture('podman-version', 'debian-12-4-3-1') };
