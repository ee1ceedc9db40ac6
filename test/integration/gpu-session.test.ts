// The GPU path of a real session with real rootful Podman: the Plan's CDI spec installed for this
// session only, applied by Podman by device name, gone once the container exists, and the
// isolation still proven from inside. This machine has no GPU, so the spec carries what a GPU spec
// carries (a device node, a read-only library mount, the loader's path) made of things that exist here.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from '../../launcher/session/session.ts';
import { loadAppliance } from '../../launcher/appliance-source.ts';
import { loadReport } from '../../launcher/host-source.ts';
import { makePlan } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { linux } from '../../platforms/linux/index.ts';
import { GPU_LIBRARY_DIR, type CdiSpec } from '../../appliance/cdi.ts';
import { cdiProblems } from '../../appliance/cdi-rules.ts';
import { CDI_RUN_DIR } from '../../platforms/linux/cdi-install.ts';
import { rootlessUnavailable } from '../support/rootless.ts';
import { takeSessionTurns } from '../support/sessions.ts';

const why = process.getuid?.() !== 0 ? 'rootful Podman needs root' : rootlessUnavailable();
if (why) console.warn(`SKIPPING the rootful GPU-path session: ${why}`);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'ai-way-gpu-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(why)('a session given a CDI spec (rootful Podman)', () => {
  takeSessionTurns();
  it('applies it, removes it once the container exists, and still proves the isolation', async () => {
    const library = path.join(scratch, 'libstand-in.so.1');
    writeFileSync(library, 'not a real library\n');
    const spec: CdiSpec = {
      cdiVersion: '0.3.0',
      kind: 'nvidia.com/gpu',
      devices: [{ name: 'all', containerEdits: { deviceNodes: [{ path: '/dev/fuse', permissions: 'rw' }] } }],
      containerEdits: {
        env: [`LD_LIBRARY_PATH=${GPU_LIBRARY_DIR}`],
        mounts: [{ hostPath: library, containerPath: `${GPU_LIBRARY_DIR}/libstand-in.so.1`, options: ['ro', 'nosuid', 'nodev', 'bind'] }],
      },
    };
    expect(cdiProblems(spec)).toEqual([]);
    const manifest = await loadAppliance('selftest');
    const { report } = await loadReport(undefined);
    const base = makePlan(ADAPTERS, report, { image: 'auto', gpu: 'auto' }, manifest);
    const plan = {
      ...base,
      gpu: { mode: 'cdi' as const, vendor: 'nvidia' as const, devices: [], reason: 'test', cdi: { spec, devices: ['all'] } },
    };
    const events: any[] = [];
    const session = new Session(plan as typeof plan & { appliance: NonNullable<typeof plan.appliance> }, await linux.load(), (e) =>
      events.push(e),
    );
    const specFiles = () => (existsSync(CDI_RUN_DIR) ? readdirSync(CDI_RUN_DIR).filter((n) => n.startsWith(`ai-way-${session.id}-`)) : []);
    try {
      await session.boot();
      expect(specFiles()).toEqual([]); // applied at creation, then removed
      // What the runtime was given: the spec's mount, node and variable in the container's OCI config.
      const configPath = spawnSync('podman', ['inspect', `ai-way-${session.id}`, '--format', '{{.OCIConfigPath}}'], {
        encoding: 'utf8',
      }).stdout.trim();
      const oci = JSON.parse(readFileSync(configPath, 'utf8'));
      expect(oci.mounts).toContainEqual(
        expect.objectContaining({
          destination: `${GPU_LIBRARY_DIR}/libstand-in.so.1`,
          source: library,
          options: expect.arrayContaining(['ro', 'nosuid', 'nodev']),
        }),
      );
      expect(oci.linux.devices.map((d: any) => d.path)).toContain('/dev/fuse');
      expect(oci.process.env).toContain(`LD_LIBRARY_PATH=${GPU_LIBRARY_DIR}`);
      const verified = events.find((e) => e.type === 'verified');
      expect(verified.proven).toBe(true);
      expect(verified.facts.find((f: any) => f.id === 'read-only-mounts')).toMatchObject({ ok: true });
      expect(session.report!.writableMounts).not.toContain(`${GPU_LIBRARY_DIR}/libstand-in.so.1`);
    } finally {
      await session.wipe('test over');
    }
    expect(specFiles()).toEqual([]);
    expect(spawnSync('podman', ['container', 'exists', `ai-way-${session.id}`]).status).not.toBe(0);
  }, 60_000);
});
