// The appliance as a Boltfile (Bolt's TOML), from the Plan: the same isolation the Podman engine
// asks for, in Bolt's service keys, and the GPU as device nodes, read-only mounts and Bolt's
// gaming.gpu/nvbind tables. Pure. Bolt may ignore keys, so this file promises nothing by itself:
// the isolation proof from inside the appliance is what counts.
import { editsFor } from './cdi.ts';
import { AGENT_PATH, WORKSPACE, workspaceTmpfs } from './engines/podman.ts';
import type { Plan, PlanAppliance } from './plan.ts';
import type { PassableVendor } from './gpu-vendors.ts';

type Toml = { [key: string]: string | number | boolean | string[] | Toml };

// Bolt's own vocabulary: the makers it has a runtime switch and a table for (<vendor>_runtime, gpu.<vendor>).
const BOLT_GPU: Partial<Record<PassableVendor, Toml>> = {
  nvidia: { device: 0, cuda: true, dlss: false, reflex: false, raytracing: false },
  amd: { device: 0, rocm: true },
};

export function boltfile(plan: Plan & { appliance: PlanAppliance }): Toml {
  const a = plan.appliance;
  const r = plan.resources;
  const name = a.name.replace(/[^A-Za-z0-9_-]+/g, '-');
  const cdi = plan.gpu.cdi;
  const edits = cdi ? editsFor(cdi.spec, cdi.devices) : null;
  const service: Toml = {
    image: a.image.kind === 'oci-archive' ? `oci-archive:${a.image.path}` : a.image.ref,
    entrypoint: [AGENT_PATH],
    command: ['--workspace', WORKSPACE, '--', ...a.command],
    stdin_open: true, // the agent's channel is its stdin and stdout
    read_only: true,
    network_mode: 'none',
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges'],
    tmpfs: [workspaceTmpfs(r.workspaceBytes, a.workspaceExec)],
    memory_limit: String(r.memBytes),
    cpu_limit: String(r.cpus),
    labels: { 'ai-way.appliance': a.name, 'ai-way.version': a.version },
  };
  if (edits && cdi && plan.gpu.vendor) {
    service.devices = edits.deviceNodes.map((n) => `${n.path}:${n.path}:${n.permissions ?? 'rw'}`);
    // Bolt knows only ro/rw/z/Z as volume options.
    service.volumes = edits.mounts.map((m) => `${m.hostPath}:${m.containerPath}:ro`);
    service.env = Object.fromEntries(edits.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const vendor = plan.gpu.vendor;
    service.gaming = {
      enabled: true,
      gpu_passthrough: true,
      ...Object.fromEntries(Object.keys(BOLT_GPU).map((v) => [`${v}_runtime`, v === vendor])),
      audio_passthrough: false,
      real_time_priority: false,
      gpu: {
        runtime: 'nvbind',
        passthrough: true,
        isolation_level: 'exclusive',
        ...(BOLT_GPU[vendor] ? { [vendor]: BOLT_GPU[vendor] } : {}),
        nvbind: {
          driver: 'auto',
          devices: cdi.devices.map((d) => `gpu:${d}`),
          wsl2_optimized: plan.gpu.mode === 'wsl',
          performance_mode: 'balanced',
          preload_libraries: false,
        },
      },
    };
  }
  return { project: name, services: { [name]: service } };
}
