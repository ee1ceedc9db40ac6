// The appliance as Kubernetes objects: a Job for the smoke test, a Pod for interactive use, and a
// NetworkPolicy that cuts both off from every network. The isolation ai-way asks of Podman, in the
// API's own fields; the cluster enforces it (a CNI with NetworkPolicy, a RuntimeClass for a kernel
// of its own). Pure: the manifest and the options in, plain objects out.
import { AGENT_PATH, WORKSPACE } from './engines/podman.ts';
import type { ImageArch, ImageFlavor } from './image-policy.ts';
import type { Manifest } from './manifest.ts';
import { shmFor } from './plan.ts';
import { MODEL_MOUNT } from './plan-model.ts';
import type { YamlData } from './yaml.ts';

export type KubeObject = { readonly [k: string]: YamlData } & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
};

export interface KubeOptions {
  /** What the cluster pulls: the manifest's registry image, or the one given with --image-ref. */
  imageRef: string;
  arch: ImageArch;
  /** GPUs to ask of the device plugin, by its resource name (nvidia.com/gpu); null: none. */
  gpu: { count: number; resource: string } | null;
  /** kata, gvisor or any RuntimeClass the cluster has; null: the node's default runtime. */
  runtimeClass: string | null;
  /** A PersistentVolumeClaim holding model.gguf at its root; null: the appliance needs no model. */
  modelClaim: string | null;
}

/** The label the NetworkPolicy selects by: every pod of this appliance, whatever its version. */
export const APPLIANCE_LABEL = 'ai-way.appliance';
const NODE_ARCH: Record<ImageArch, string> = { x86_64: 'amd64', aarch64: 'arm64' };
// The app's user in the image (the agent maps uid and gid 1000): never root.
const APP_UID = 1000;

/** A name Kubernetes accepts (a DNS label): lower case, digits and dashes, at most 63 characters. */
export const kubeName = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '') || 'appliance';

/** A label value: letters, digits, - _ . between alphanumerics, at most 63 characters. */
const labelValue = (s: string) =>
  s
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 63);

export type KubeAppliance = Pick<Manifest, 'name' | 'version' | 'app' | 'workspace' | 'resources' | 'health'>;

export function kubernetesObjects(m: KubeAppliance, o: KubeOptions): KubeObject[] {
  const own = kubeName(m.name);
  const base = (own.startsWith('ai-way') ? own : `ai-way-${own}`).slice(0, 50).replace(/-+$/, '');
  const labels = { [APPLIANCE_LABEL]: labelValue(m.name) || 'appliance', 'ai-way.version': labelValue(m.version) || 'unknown' };
  const pod = podSpec(m, o);
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${base}-no-network`, labels },
      // Both directions listed and no rule given: nothing in, nothing out, DNS included.
      spec: { podSelector: { matchLabels: { [APPLIANCE_LABEL]: labels[APPLIANCE_LABEL] } }, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${base}-smoke`, labels },
      spec: {
        backoffLimit: 0,
        // Ready in time, or the cluster ends it; a finished Job and its pod are deleted at once.
        activeDeadlineSeconds: Math.ceil(m.health.timeoutMs / 1000) + 300,
        ttlSecondsAfterFinished: 0,
        template: { metadata: { labels }, spec: pod },
      },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: base, labels }, spec: pod },
  ];
}

function podSpec(m: KubeAppliance, o: KubeOptions): { [k: string]: YamlData } {
  const memory = String(m.resources.memBytes);
  const cpu = String(m.resources.cpus);
  const gpu = o.gpu ? { [o.gpu.resource]: String(o.gpu.count) } : {};
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    // The agent's two seconds to wipe, as Podman's --stop-timeout gives it.
    terminationGracePeriodSeconds: 2,
    ...(o.runtimeClass ? { runtimeClassName: o.runtimeClass } : {}),
    nodeSelector: { 'kubernetes.io/arch': NODE_ARCH[o.arch] },
    securityContext: { runAsNonRoot: true, runAsUser: APP_UID, runAsGroup: APP_UID, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'appliance',
        image: o.imageRef,
        imagePullPolicy: 'IfNotPresent',
        command: [AGENT_PATH],
        args: ['--workspace', WORKSPACE, '--shm-size', String(shmFor(m.resources.memBytes)), '--', ...m.app.command],
        // The agent's channel: stdin from `kubectl attach -i`, closed when that client goes (the dead man's switch).
        stdin: true,
        stdinOnce: true,
        tty: false,
        securityContext: {
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        resources: { requests: { cpu, memory }, limits: { cpu, memory, ...gpu } },
        volumeMounts: [
          { name: 'workspace', mountPath: WORKSPACE },
          ...(o.modelClaim ? [{ name: 'model', mountPath: MODEL_MOUNT, subPath: 'model.gguf', readOnly: true }] : []),
        ],
      },
    ],
    volumes: [
      // In memory, as the local tmpfs: it counts against the memory limit and goes with the pod.
      { name: 'workspace', emptyDir: { medium: 'Memory', sizeLimit: String(m.workspace.sizeBytes) } },
      ...(o.modelClaim ? [{ name: 'model', persistentVolumeClaim: { claimName: o.modelClaim, readOnly: true } }] : []),
    ],
  };
}

/** Where the image comes from: --image-ref, else the manifest's registry image; an archive file is not pullable. */
export function pullableImage(
  m: Pick<Manifest, 'name' | 'images'>,
  flavor: ImageFlavor | 'auto',
  arch: ImageArch,
  given: string | undefined,
): { ref: string } | { problem: string } {
  if (given) return { ref: given };
  const flavors: ImageFlavor[] = flavor === 'auto' ? ['fedora', 'alpine'] : [flavor];
  const source = flavors.map((f) => m.images[f]?.[arch]).find((s) => s !== undefined);
  if (!source) return { problem: `${m.name} has no ${flavor === 'auto' ? '' : `${flavor} `}image for ${arch}` };
  if (source.kind === 'registry') return { ref: source.ref };
  return { problem: `${m.name}'s image is a file (oci-archive:${source.path}), which a cluster cannot pull` };
}
