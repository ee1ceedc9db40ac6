// The exported objects against Kubernetes' own OpenAPI schemas (kubernetes-models' validators), and
// the isolation each one must carry. No cluster runs here: the schema is the contract.
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Pod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { kubernetesObjects, pullableImage, type KubeObject, type KubeOptions } from '../../appliance/kubernetes.ts';
import { parseManifest } from '../../appliance/manifest.ts';
import { MODEL_MOUNT } from '../../appliance/plan-model.ts';
import { AI_WAY, SHIPPED } from '../support/manifests.ts';

const aiWay = parseManifest(SHIPPED[1]!, AI_WAY);
const OPTS: KubeOptions = { imageRef: 'registry.example/ai-way:1', arch: 'x86_64', gpu: null, runtimeClass: null, modelClaim: 'models' };
const MODELS = { Job, NetworkPolicy, Pod } as const;
// What the container must carry, the local appliance's isolation in the API's words.
const CONTAINER_ISOLATION: Record<string, unknown> = {
  capabilities: { drop: ['ALL'] },
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  privileged: false,
  seccompProfile: { type: 'RuntimeDefault' },
};

// The schema's validator for each object; it throws on a value Kubernetes would refuse.
function validate(o: KubeObject): void {
  const Model = MODELS[o.kind as keyof typeof MODELS];
  expect(Model, `a validator for ${o.kind}`).toBeDefined();
  new Model(o as never).validate();
}

const byKind = (objects: KubeObject[], kind: string) => objects.find((o) => o.kind === kind) as Record<string, any>;
const podSpecs = (objects: KubeObject[]) => [byKind(objects, 'Pod').spec, byKind(objects, 'Job').spec.template.spec];

describe('export kubernetes', () => {
  const variants: [string, KubeOptions][] = [
    ['plain', OPTS],
    ['an NVIDIA GPU and Kata', { ...OPTS, gpu: { count: 1, resource: 'nvidia.com/gpu' }, runtimeClass: 'kata' }],
    ['two AMD GPUs, aarch64, gVisor', { ...OPTS, arch: 'aarch64', gpu: { count: 2, resource: 'amd.com/gpu' }, runtimeClass: 'gvisor' }],
  ];

  it.each(variants)('validates every object against the Kubernetes schemas (%s)', (_, o) => {
    const objects = kubernetesObjects(aiWay, o);
    expect(objects.map((x) => x.kind)).toEqual(['NetworkPolicy', 'Job', 'Pod']);
    for (const x of objects) validate(x);
  });

  it.each(variants)('gives the Job and the Pod the isolation the appliance has locally (%s)', (_, o) => {
    for (const spec of podSpecs(kubernetesObjects(aiWay, o))) {
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.runtimeClassName).toBe(o.runtimeClass ?? undefined);
      const [c] = spec.containers;
      const fields = Object.entries(CONTAINER_ISOLATION).map(([k]) => [k, c.securityContext[k]]);
      expect(Object.fromEntries(fields)).toEqual(CONTAINER_ISOLATION);
      expect(c.securityContext.capabilities.add).toBeUndefined();
      expect([c.stdin, c.stdinOnce, c.tty]).toEqual([true, true, false]);
      expect(spec.volumes[0]).toEqual({
        name: 'workspace',
        emptyDir: { medium: 'Memory', sizeLimit: String(aiWay.workspace.sizeBytes) },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'workspace', mountPath: '/workspace' });
      expect(c.volumeMounts).toContainEqual({ name: 'model', mountPath: MODEL_MOUNT, subPath: 'model.gguf', readOnly: true });
      expect(spec.volumes[1]).toEqual({ name: 'model', persistentVolumeClaim: { claimName: 'models', readOnly: true } });
      const fromManifest = { cpu: String(aiWay.resources.cpus), memory: String(aiWay.resources.memBytes) };
      expect(c.resources.requests).toEqual(fromManifest);
      const gpu = o.gpu ? { [o.gpu.resource]: String(o.gpu.count) } : {};
      expect(c.resources.limits).toEqual({ ...fromManifest, ...gpu });
      expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': o.arch === 'x86_64' ? 'amd64' : 'arm64' });
    }
  });

  it('denies all ingress and egress to the pods it exports, selected by their own labels', () => {
    const objects = kubernetesObjects(aiWay, OPTS);
    const policy = byKind(objects, 'NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toBeUndefined();
    expect(policy.spec.egress).toBeUndefined();
    const selector: Record<string, string> = policy.spec.podSelector.matchLabels;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const labels of [byKind(objects, 'Pod').metadata.labels, byKind(objects, 'Job').spec.template.metadata.labels])
      expect(labels).toMatchObject(selector);
  });

  it('fails validation on values Kubernetes would refuse, so the validator is really used', () => {
    const pod = byKind(kubernetesObjects(aiWay, OPTS), 'Pod');
    const spoiled = (edit: (spec: any) => void) => {
      const copy = structuredClone(pod);
      edit(copy.spec);
      return () => validate(copy as KubeObject);
    };
    expect(spoiled(() => {})).not.toThrow();
    expect(spoiled((s) => (s.containers[0].stdin = 'yes'))).toThrow(/stdin/);
    expect(spoiled((s) => (s.volumes[0].emptyDir.sizeLimit = 'a lot'))).toThrow(/sizeLimit/);
    expect(spoiled((s) => (s.containers[0].resources.limits.memory = '8 GB'))).toThrow(/memory/);
    expect(spoiled((s) => (s.automountServiceAccountToken = 'false'))).toThrow(/automountServiceAccountToken/);
    expect(spoiled((s) => (s.containers[0].securityContext.capabilities.drop = 'ALL'))).toThrow(/drop/);
    expect(spoiled((s) => delete s.containers)).toThrow(/containers/);
  });

  it('names the objects as Kubernetes allows, whatever the appliance is called', () => {
    const odd = { ...aiWay, name: 'My Appliance_2!', version: '1.0+local' };
    for (const x of kubernetesObjects(odd, OPTS)) {
      validate(x);
      expect(x.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      for (const v of Object.values(x.metadata.labels)) expect(v).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    }
  });

  it('takes a registry image, and says plainly that an archive file cannot be pulled', () => {
    expect(pullableImage(aiWay, 'auto', 'x86_64', 'r.example/a:1')).toEqual({ ref: 'r.example/a:1' });
    expect(pullableImage(aiWay, 'auto', 'x86_64', undefined)).toEqual({ problem: expect.stringMatching(/cannot pull/) });
    const registry = { ...aiWay, images: { alpine: { x86_64: { kind: 'registry' as const, ref: 'r.example/b:2' } } } };
    expect(pullableImage(registry, 'auto', 'x86_64', undefined)).toEqual({ ref: 'r.example/b:2' });
    expect(pullableImage(registry, 'auto', 'aarch64', undefined)).toEqual({ problem: expect.stringMatching(/no image for aarch64/) });
  });
});
