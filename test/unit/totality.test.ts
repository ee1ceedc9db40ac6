// Every parser and the whole analysis are total: truncated, garbled or random input gives an
// answer (often "unknown"), never an exception.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../contract/fixtures.ts';
import * as nvidia from '../../platforms/host/vendors/nvidia/parse.ts';
import * as pci from '../../platforms/host/parse/pci.ts';
import * as linux from '../../platforms/host/parse/linux.ts';
import * as rocm from '../../platforms/host/vendors/amd/parse.ts';
import * as mac from '../../platforms/host/parse/macos.ts';
import * as win from '../../platforms/host/parse/windows.ts';
import * as tools from '../../platforms/host/parse/tools.ts';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { makePlan } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { chooseImage } from '../../appliance/image-policy.ts';
import type { Artifacts, CommandRecord } from '../../platforms/host/artifacts.ts';
import { COMMAND_NAMES } from '../../platforms/host/probe-spec.ts';

const parsers: [string, (s: string) => unknown][] = [
  ['nvidia table', nvidia.parseNvidiaSmiTable],
  ['nvidia -L', nvidia.parseNvidiaSmiList],
  ['nvidia xml', nvidia.parseNvidiaSmiXml],
  ['nvidia proc', nvidia.parseNvidiaProcVersion],
  ['nvidia info', nvidia.parseNvidiaGpuInformation],
  ['modinfo', nvidia.parseModinfo],
  ['smi failure', (s) => nvidia.classifyNvidiaSmiFailure(s, s, 1)],
  ['smi failed ids', nvidia.failedBusIds],
  ['lspci', pci.parseLspci],
  ['uevent', pci.parsePciUevent],
  ['marketing', pci.marketingName],
  ['meminfo', linux.parseMeminfoTotal],
  ['cpuinfo', linux.parseCpuinfo],
  ['modules', linux.parseModules],
  ['os-release', linux.parseOsRelease],
  ['ldconfig', linux.parseLdconfig],
  ['wsl kernel', linux.wslKindFromKernel],
  ['rocminfo', rocm.parseRocminfo],
  ['rocm version', rocm.parseRocmVersion],
  ['sp text', mac.parseSystemProfilerText],
  ['sp json', mac.parseSystemProfilerJson],
  ['sysctl', (s) => mac.parseSysctlValue(s, 'hw.memsize')],
  ['wsl version', (s) => win.parseWslVersion(s, 0)],
  ['wsl list', (s) => win.parseWslListVerbose(s, 0)],
  ['wsl status', win.parseWslStatusDefaultVersion],
  ['format-list', win.parseFormatList],
  ['video', win.parseVideoControllers],
  ['systeminfo', win.parseSysteminfoVirtualization],
  ['format-table', win.parseFormatTable],
  ['wsl answer', (s) => win.wslAnswer(s, null)],
  ['win driver', nvidia.nvidiaVersionFromWindows],
  ['tool version', tools.parseToolVersion],
  ['podman info', tools.parsePodmanInfo],
  ['lima list', tools.parseLimaList],
];

const recorded = readdirSync(FIXTURES).flatMap((dir) =>
  readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.out'))
    .map((f) => readFileSync(path.join(FIXTURES, dir, f), 'utf8')),
);

describe('parsers are total', () => {
  it.each(parsers)('%s: random text', (_, parse) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        parse(s);
      }),
      { numRuns: 300 },
    );
  });

  it.each(parsers)('%s: every recorded output, cut anywhere and with lines dropped', (_, parse) => {
    for (const text of recorded) parse(text);
    fc.assert(
      fc.property(fc.constantFrom(...recorded), fc.nat(), fc.nat(), (text, cut, seed) => {
        parse(text.slice(0, cut % (text.length + 1)));
        parse(
          text
            .split('\n')
            .filter((_l, i) => (i * 7 + seed) % 5 !== 0)
            .join('\n'),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('analysis is total', () => {
  const commandRecord = fc.record({
    out: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(...recorded).map((t) => new TextEncoder().encode(t)),
    ),
    exit: fc.option(fc.integer({ min: -1, max: 255 }), { nil: undefined }),
    timeoutMs: fc.option(fc.constant(5000), { nil: undefined }),
  }) as fc.Arbitrary<CommandRecord>;
  const host = fc.record({
    os: fc.constantFrom('linux', 'darwin', 'win32') as fc.Arbitrary<'linux' | 'darwin' | 'win32'>,
    arch: fc.constantFrom('x64', 'arm64', 'ia32'),
    release: fc.option(fc.constantFrom('6.1.0-13-amd64', '5.15.133.1-microsoft-standard-WSL2', '4.4.0-19041-Microsoft', '23.1.0'), {
      nil: undefined,
    }),
    totalMemBytes: fc.option(fc.nat(), { nil: undefined }),
    cpus: fc.option(fc.nat({ max: 256 }), { nil: undefined }),
  });
  const files = [
    '/proc/driver/nvidia/version',
    '/proc/meminfo',
    '/proc/cpuinfo',
    '/proc/version',
    '/etc/os-release',
    '/sys/bus/pci/devices/0000:01:00.0/uevent',
    '/proc/driver/nvidia/gpus/0000:01:00.0/information',
    '/opt/rocm/.info/version',
  ];
  const artifactsArb: fc.Arbitrary<Artifacts> = fc.record({
    host,
    files: fc
      .dictionary(
        fc.constantFrom(...files),
        fc.oneof(
          fc.uint8Array({ maxLength: 100 }),
          fc.constantFrom(...recorded).map((t) => new TextEncoder().encode(t)),
        ),
      )
      .map((d) => new Map(Object.entries(d))),
    devices: fc.option(fc.subarray(['/dev/nvidia0', '/dev/nvidiactl', '/dev/dxg', '/dev/kfd', '/dev/kvm', '/dev/dri/renderD128']), {
      nil: null,
    }),
    commands: fc.dictionary(fc.constantFrom(...COMMAND_NAMES), commandRecord).map((d) => new Map(Object.entries(d))),
  });

  it('any artifacts give a report, an image and a plan', () => {
    fc.assert(
      fc.property(artifactsArb, (a) => {
        const r = analyzeHost(a);
        expect(['linux', 'wsl2', 'macos', 'windows']).toContain(r.host.platform);
        expect(r.prerequisites.map((p) => p.id)).toEqual(['memory', 'podman', 'wsl', 'lima', 'virtualization', 'gpu-driver']);
        chooseImage(r);
        makePlan(ADAPTERS, r);
        JSON.stringify(r);
      }),
      { numRuns: 400 },
    );
  });
});
