// The CDI specification's own rules, as its reference library checks them: strict keys, name
// rules for kind and devices, non-empty device edits, and the lowest cdiVersion that can carry
// what a spec uses. Pure; every problem names its place in the spec.

/** Versions in order (the reference library's list, v1.1.0); a spec may declare any that is at least its minimum. */
export const CDI_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0', '0.6.0', '0.7.0', '0.8.0', '1.0.0', '1.1.0'] as const;
// Below this the reference library asks for nothing; it is what a spec with no newer feature declares.
const EARLIEST = '0.3.0';

type Doc = Record<string, unknown>;

// Vendor and class follow one rule; a "." in the class needs 0.6.0 (and Podman 4.x, on CDI 0.5, refuses it).
const VENDOR_OR_CLASS = /^[A-Za-z]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;
// Since 0.5.0 a device name may start with a digit; before, only with a letter.
const DEVICE_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?$/;
const HOOK_NAMES = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

const KEYS = {
  spec: ['cdiVersion', 'kind', 'annotations', 'devices', 'containerEdits'],
  device: ['name', 'annotations', 'containerEdits'],
  edits: ['env', 'deviceNodes', 'hooks', 'mounts', 'intelRdt', 'additionalGids', 'netDevices'],
  node: ['path', 'hostPath', 'type', 'major', 'minor', 'fileMode', 'permissions', 'uid', 'gid'],
  mount: ['hostPath', 'containerPath', 'options', 'type'],
  hook: ['hookName', 'path', 'args', 'env', 'timeout'],
  netDevice: ['hostInterfaceName', 'name'],
  intelRdt: ['closID', 'l3CacheSchema', 'memBwSchema', 'schemata', 'enableCMT', 'enableMBM', 'enableMonitoring'],
} as const;

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const editsOf = (spec: Doc): Doc[] => [
  ...(isObject(spec.containerEdits) ? [spec.containerEdits] : []),
  ...(Array.isArray(spec.devices)
    ? spec.devices
        .filter(isObject)
        .map((d) => d.containerEdits)
        .filter(isObject)
    : []),
];
const listOf = (edits: Doc[], key: string): Doc[] => edits.flatMap((e) => (Array.isArray(e[key]) ? e[key].filter(isObject) : []));

/** Which features need which version, newest first; a spec's minimum is the first whose test it passes. */
const NEEDS: [version: (typeof CDI_VERSIONS)[number], uses: (spec: Doc) => boolean][] = [
  [
    '1.1.0',
    (s) =>
      listOf(editsOf(s), 'netDevices').length > 0 ||
      editsOf(s).some((e) => isObject(e.intelRdt) && (e.intelRdt.schemata !== undefined || e.intelRdt.enableMonitoring === true)),
  ],
  ['0.7.0', (s) => editsOf(s).some((e) => e.intelRdt !== undefined || (Array.isArray(e.additionalGids) && e.additionalGids.length > 0))],
  [
    '0.6.0',
    (s) =>
      nonEmpty(s.annotations) ||
      (Array.isArray(s.devices) && s.devices.some((d) => isObject(d) && nonEmpty(d.annotations))) ||
      (String(s.kind ?? '').split('/')[1] ?? '').includes('.'),
  ],
  [
    '0.5.0',
    (s) =>
      (Array.isArray(s.devices) && s.devices.some((d) => isObject(d) && /^[0-9]/.test(String(d.name ?? '')))) ||
      listOf(editsOf(s), 'deviceNodes').some((n) => typeof n.hostPath === 'string' && n.hostPath !== ''),
  ],
  ['0.4.0', (s) => listOf(editsOf(s), 'mounts').some((m) => typeof m.type === 'string' && m.type !== '')],
];

const nonEmpty = (v: unknown) => isObject(v) && Object.keys(v).length > 0;

/** The lowest version that carries everything the spec uses. */
export function minimumCdiVersion(spec: object): string {
  return NEEDS.find(([, uses]) => uses(spec as Doc))?.[0] ?? EARLIEST;
}

const versionIndex = (v: unknown) => CDI_VERSIONS.indexOf(String(v).replace(/^v/, '') as (typeof CDI_VERSIONS)[number]);

/** Every rule the spec breaks, each as "place: problem"; empty when it is valid. */
export function cdiProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const at = (place: string, problem: string) => problems.push(`${place}: ${problem}`);
  const strict = (place: string, o: Doc, allowed: readonly string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) at(`${place}.${k}`, 'is not a CDI key');
  };
  if (!isObject(doc)) return ['(top): a CDI spec is an object'];
  strict('spec', doc, KEYS.spec);

  const v = versionIndex(doc.cdiVersion);
  if (typeof doc.cdiVersion !== 'string' || v < 0) at('cdiVersion', `must be one of ${CDI_VERSIONS.join(', ')}`);
  else if (v < versionIndex(minimumCdiVersion(doc)))
    at('cdiVersion', `${doc.cdiVersion} cannot carry this spec: it needs at least ${minimumCdiVersion(doc)}`);

  const [vendor, cls, extra] = typeof doc.kind === 'string' ? doc.kind.split('/') : [];
  if (!vendor || !cls || extra !== undefined) at('kind', 'must be "vendor/class"');
  else {
    for (const [what, name] of [
      ['vendor', vendor],
      ['class', cls],
    ] as const) {
      if (!VENDOR_OR_CLASS.test(name))
        at('kind', `${what} "${name}" must start with a letter, end with a letter or digit, and hold only letters, digits, ".", "-", "_"`);
    }
  }
  annotations('annotations', doc.annotations, at);

  if (!Array.isArray(doc.devices) || doc.devices.length === 0) at('devices', 'must list at least one device');
  // Unknown keys make the reference library's strict parser reject the whole file.
  const seen = new Set<string>();
  (Array.isArray(doc.devices) ? doc.devices : []).forEach((d, i) => {
    const place = `devices[${i}]`;
    if (!isObject(d)) {
      at(place, 'must be an object');
      return;
    }
    strict(place, d, KEYS.device);
    const name = typeof d.name === 'string' ? d.name : '';
    if (!DEVICE_NAME.test(name))
      at(`${place}.name`, `"${name}" must start with a letter or digit, end with one, and hold only letters, digits, "-", "_", ".", ":"`);
    if (seen.has(name)) at(`${place}.name`, `"${name}" is named twice`);
    seen.add(name);
    annotations(`${place}.annotations`, d.annotations, at);
    if (!isObject(d.containerEdits) || isEmptyEdits(d.containerEdits)) at(`${place}.containerEdits`, 'a device must edit something');
    else edits(`${place}.containerEdits`, d.containerEdits, at, strict);
  });
  if (doc.containerEdits !== undefined) {
    if (isObject(doc.containerEdits)) edits('containerEdits', doc.containerEdits, at, strict);
    else at('containerEdits', 'must be an object');
  }
  return problems;
}

type At = (place: string, problem: string) => void;
type Strict = (place: string, o: Doc, allowed: readonly string[]) => void;

/** Whether container edits change nothing (a device's edits must change something). */
export function isEmptyEdits(edits: object): boolean {
  const e = edits as Doc;
  return (
    ['env', 'deviceNodes', 'hooks', 'mounts', 'additionalGids', 'netDevices'].every((k) => !Array.isArray(e[k]) || e[k].length === 0) &&
    e.intelRdt === undefined
  );
}

function annotations(place: string, a: unknown, at: At) {
  if (a === undefined) return;
  if (!isObject(a)) {
    at(place, 'must map names to strings');
    return;
  }
  for (const [k, v] of Object.entries(a)) {
    if (typeof v !== 'string') at(`${place}.${k}`, 'must be a string');
    if (!/^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(k) || k.length > 316)
      at(`${place}.${k}`, 'is not a valid annotation key');
  }
}

const absolute = (v: unknown) => typeof v === 'string' && v.startsWith('/');
const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

function edits(place: string, e: Doc, at: At, strict: Strict) {
  strict(place, e, KEYS.edits);
  const list = (key: string, each: (item: Doc, where: string) => void) => {
    if (e[key] === undefined) return;
    if (!Array.isArray(e[key])) {
      at(`${place}.${key}`, 'must be a list');
      return;
    }
    for (const [i, item] of e[key].entries()) {
      if (isObject(item) || key === 'env') each(item as Doc, `${place}.${key}[${i}]`);
      else at(`${place}.${key}[${i}]`, 'must be an object');
    }
  };
  list('env', (item, where) => {
    if (typeof item !== 'string' || !/^[^=]+=/.test(item)) at(where, 'must be "NAME=value"');
  });
  list('deviceNodes', (n, where) => {
    strict(where, n, KEYS.node);
    if (!absolute(n.path)) at(`${where}.path`, 'must be an absolute path');
    if (n.hostPath !== undefined && !absolute(n.hostPath)) at(`${where}.hostPath`, 'must be an absolute path');
    if (n.type !== undefined && !['b', 'c', 'u', 'p'].includes(String(n.type))) at(`${where}.type`, 'must be b, c, u or p');
    if (n.permissions !== undefined && !/^[rwm]+$/.test(String(n.permissions))) at(`${where}.permissions`, 'must hold only r, w, m');
    for (const k of ['major', 'minor', 'fileMode', 'uid', 'gid'])
      if (n[k] !== undefined && !Number.isInteger(n[k])) at(`${where}.${k}`, 'must be a whole number');
  });
  list('mounts', (m, where) => {
    strict(where, m, KEYS.mount);
    if (!absolute(m.hostPath)) at(`${where}.hostPath`, 'must be an absolute path');
    if (!absolute(m.containerPath)) at(`${where}.containerPath`, 'must be an absolute path');
    if (m.options !== undefined && !strings(m.options)) at(`${where}.options`, 'must be a list of strings');
  });
  list('hooks', (h, where) => {
    strict(where, h, KEYS.hook);
    if (!HOOK_NAMES.includes(String(h.hookName))) at(`${where}.hookName`, `must be one of ${HOOK_NAMES.join(', ')}`);
    if (!absolute(h.path)) at(`${where}.path`, 'must be an absolute path');
  });
  list('netDevices', (d, where) => {
    strict(where, d, KEYS.netDevice);
    if (typeof d.hostInterfaceName !== 'string' || !d.hostInterfaceName) at(`${where}.hostInterfaceName`, 'must be a name');
    if (typeof d.name !== 'string' || !d.name) at(`${where}.name`, 'must be a name');
  });
  if (e.intelRdt !== undefined) {
    if (isObject(e.intelRdt)) strict(`${place}.intelRdt`, e.intelRdt, KEYS.intelRdt);
    else at(`${place}.intelRdt`, 'must be an object');
  }
  if (e.additionalGids !== undefined && !(Array.isArray(e.additionalGids) && e.additionalGids.every((g) => Number.isInteger(g) && g > 0))) {
    at(`${place}.additionalGids`, 'must be a list of group ids above 0');
  }
}
