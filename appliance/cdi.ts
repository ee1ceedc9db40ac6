// CDI specs (Container Device Interface) for a host's GPUs, built from what the host listed.
// Pure. No hooks: nothing runs at container creation, so no program has to exist in the guest.
// The links a hook would make (libcuda.so.1 -> libcuda.so.<version>) are made by mounting the
// one real file under each of its names, in one folder the loader is pointed at.
import type { GpuDriverFacts, HostFacts } from './host-facts.ts';
import { isEmptyEdits, minimumCdiVersion } from './cdi-rules.ts';
import { Failure } from './failures.ts';
import { GPU_VENDORS, type PassableVendor } from './gpu-vendors.ts';

export interface CdiDeviceNode {
  path: string;
  permissions?: string;
}
export interface CdiMount {
  hostPath: string;
  containerPath: string;
  options: string[];
}
export interface CdiContainerEdits {
  env?: string[];
  deviceNodes?: CdiDeviceNode[];
  mounts?: CdiMount[];
}
export interface CdiDevice {
  name: string;
  containerEdits: CdiContainerEdits;
}
export interface CdiSpec {
  cdiVersion: string;
  kind: string;
  devices: CdiDevice[];
  containerEdits: CdiContainerEdits;
}

/** Where the GPU's libraries appear inside the appliance. */
export const GPU_LIBRARY_DIR = '/usr/lib/ai-way-gpu';

// Read-only, and neither device files nor set-uid programs can come in through a mount.
const READ_ONLY = ['ro', 'nosuid', 'nodev', 'bind'];
// Open and use, never create: no "m" (mknod).
const NODE_PERMISSIONS = 'rw';

/** No GPU of this kind can be passed: a prerequisite this host lacks. */
export class NoGpuError extends Failure {
  constructor(message: string) {
    super('prerequisite', message);
  }
}

/**
 * The spec for one vendor's usable GPUs: a device per GPU named by its index (PCI order) and by
 * its UUID where known, and "all". WSL2 offers no per-GPU nodes: only "all" (/dev/dxg).
 */
export function buildCdiSpec(f: HostFacts, vendor: PassableVendor, kind: string = GPU_VENDORS[vendor].cdiKind): CdiSpec {
  const driver = f.gpuDrivers?.find((d) => d.vendor === vendor);
  const gpus = f.gpus.filter((g) => g.vendor === vendor && g.usable).sort((x, y) => (x.pciBusId ?? '').localeCompare(y.pciBusId ?? ''));
  if (!driver || gpus.length === 0) throw new NoGpuError(`no usable ${vendor.toUpperCase()} GPU on this host`);
  const common = commonEdits(driver);
  const nodesOf = (g: (typeof gpus)[number]) => (g.deviceNodes ?? []).map((path) => ({ path, permissions: NODE_PERMISSIONS }));
  const devices: CdiDevice[] = [];
  if (!driver.wsl) {
    gpus.forEach((g, i) => {
      const deviceNodes = nodesOf(g);
      if (deviceNodes.length === 0) return; // nothing to pass: such a device would be invalid
      devices.push({ name: String(i), containerEdits: { deviceNodes } });
      if (g.uuid && /^GPU-[0-9a-fA-F-]+$/.test(g.uuid)) devices.push({ name: g.uuid, containerEdits: { deviceNodes } });
    });
  }
  const allNodes = [...new Set(gpus.flatMap((g) => g.deviceNodes ?? []))].map((path) => ({ path, permissions: NODE_PERMISSIONS }));
  // "all" must edit something: its GPUs' nodes, or under WSL2 the shared /dev/dxg and driver files.
  const allEdits: CdiContainerEdits = driver.wsl ? common : { deviceNodes: allNodes };
  if (isEmptyEdits(allEdits)) throw new NoGpuError(`the ${vendor.toUpperCase()} GPU's device nodes were not found on this host`);
  devices.push({ name: 'all', containerEdits: allEdits });
  // containerEdits is always written, empty or not: nvbind's reader requires the key.
  const spec: Omit<CdiSpec, 'cdiVersion'> = { kind, devices, containerEdits: driver.wsl ? {} : common };
  return { cdiVersion: minimumCdiVersion(spec), ...spec };
}

/** Edits every device of the vendor needs: shared nodes, the driver's files, the loader's path. */
function commonEdits(d: GpuDriverFacts): CdiContainerEdits {
  const mounts: CdiMount[] = [
    ...d.libraries.flatMap((lib) =>
      lib.names.map((name) => ({ hostPath: lib.path, containerPath: `${GPU_LIBRARY_DIR}/${name}`, options: READ_ONLY })),
    ),
    ...d.files.map((file) => ({ hostPath: file, containerPath: containerPathOf(file), options: READ_ONLY })),
    ...d.folders.map((folder) => ({ hostPath: folder, containerPath: folder, options: READ_ONLY })),
  ];
  const libraryPath =
    d.libraries.length > 0 ? GPU_LIBRARY_DIR : d.wsl && d.folders.includes('/usr/lib/wsl/lib') ? '/usr/lib/wsl/lib' : null;
  const edits: CdiContainerEdits = {};
  if (libraryPath) edits.env = [`LD_LIBRARY_PATH=${libraryPath}`];
  if (d.nodes.length) edits.deviceNodes = d.nodes.map((path) => ({ path, permissions: NODE_PERMISSIONS }));
  if (mounts.length) edits.mounts = mounts;
  return edits;
}

// Tools of a driver kept in its own folder (/usr/local/<driver>/bin) appear where the guest's PATH finds them.
const containerPathOf = (hostPath: string) => hostPath.replace(/^\/usr\/local\/[^/]+\/bin\//, '/usr/bin/');

/** The edits of the named devices plus the spec's own, merged in order (what an engine applies). */
export function editsFor(spec: CdiSpec, names: readonly string[]): Required<CdiContainerEdits> {
  const parts = [
    spec.containerEdits ?? {},
    ...names.map((n) => {
      const dev = spec.devices.find((d) => d.name === n);
      if (!dev) throw new NoGpuError(`${spec.kind}=${n} is not a device of this spec`);
      return dev.containerEdits;
    }),
  ];
  const uniq = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];
  return {
    env: uniq(
      parts.flatMap((p) => p.env ?? []),
      (e) => e.split('=')[0]!,
    ),
    deviceNodes: uniq(
      parts.flatMap((p) => p.deviceNodes ?? []),
      (n) => n.path,
    ),
    mounts: uniq(
      parts.flatMap((p) => p.mounts ?? []),
      (m) => m.containerPath,
    ),
  };
}
