// Appliance manifests: the shipped ones load, defaults are filled in, every spelling TOML allows
// is read, and sizes and durations are parsed as written. Mistakes: manifest-errors.test.ts; any
// input at all: manifest-totality.test.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadManifest, parseManifest, parseSize, type Manifest } from '../../appliance/manifest.ts';
import { editDistance } from '../../appliance/closest.ts';
import { parseDuration } from '../../appliance/duration.ts';
import { readCarried } from '../../platforms/embedded.ts';
import { AI_WAY, edit, FILE, GiB, MiB, ROOT, SELFTEST, VALID } from '../support/manifests.ts';

describe('the shipped manifests', () => {
  it('selftest: the offline appliance, from an OCI archive the build writes', async () => {
    expect(await loadManifest(SELFTEST, readCarried)).toEqual({
      file: SELFTEST,
      name: 'selftest',
      version: '0.1.0',
      description: '',
      images: {
        alpine: {
          x86_64: { kind: 'oci-archive', path: path.join(ROOT, 'build/images/selftest-x86_64.oci.tar') },
          aarch64: { kind: 'oci-archive', path: path.join(ROOT, 'build/images/selftest-aarch64.oci.tar') },
        },
      },
      app: {
        command: ['/bin/busybox', 'httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'],
        port: 8080,
        ask: '/cgi-bin/ask',
        status: null,
        documents: null,
      },
      workspace: { sizeBytes: 64 * MiB, exec: false },
      resources: { memBytes: 128 * MiB, cpus: 1, pids: 64 },
      gpu: { wish: 'none' },
      isolation: { mode: 'any' },
      model: null,
      health: { path: '/health', timeoutMs: 10_000, intervalMs: 50 },
      smoke: {
        method: 'POST',
        path: '/cgi-bin/ask',
        body: 'hello',
        expectStatus: 200,
        expectBody: 'hello',
        document: null,
        expectSource: null,
      },
    } satisfies Manifest);
  });

  it('ai-way: both flavors on both architectures, the same glibc image the build makes', async () => {
    const archive = (arch: string) => ({ kind: 'oci-archive', path: path.join(ROOT, `build/images/ai-way-cpu-${arch}.oci.tar`) }) as const;
    const byArch = { x86_64: archive('x86_64'), aarch64: archive('aarch64') };
    expect(await loadManifest(AI_WAY, readCarried)).toEqual({
      file: AI_WAY,
      name: 'ai-way',
      version: '0.1.0',
      description: 'Private document Q&A with a local LLM',
      images: { alpine: byArch, fedora: byArch },
      app: { command: ['/usr/bin/node', '/app/main.mjs'], port: 8080, ask: '/ask', status: '/status', documents: '/documents' },
      workspace: { sizeBytes: 4 * GiB, exec: false },
      resources: { memBytes: 8 * GiB, cpus: 4, pids: 512 },
      gpu: { wish: 'auto' },
      isolation: { mode: 'any' },
      model: { default: null },
      health: { path: '/health', timeoutMs: 300_000, intervalMs: 500 },
      smoke: {
        method: 'POST',
        path: '/ask',
        body: 'Which colour is the lighthouse on Kestrel Point painted?',
        expectStatus: 200,
        expectBody: null,
        document: path.join(ROOT, 'images/ai-way/smoke/notes.md'),
        expectSource: 'notes.md',
      },
    } satisfies Manifest);
  });
});

describe('parseManifest', () => {
  it('fills in every default', () => {
    expect(parseManifest(VALID, '/srv/demo/appliance.toml')).toEqual({
      file: '/srv/demo/appliance.toml',
      name: 'demo',
      version: '1.0.0',
      description: '',
      images: { alpine: { x86_64: { kind: 'registry', ref: 'localhost/demo:1.0.0' } } },
      app: { command: ['/usr/bin/demo'], port: 8080, ask: null, status: null, documents: null },
      workspace: { sizeBytes: 64 * MiB, exec: false },
      resources: { memBytes: 256 * MiB, cpus: 1, pids: 64 },
      gpu: { wish: 'auto' },
      isolation: { mode: 'any' },
      model: null,
      health: { path: '/health', timeoutMs: 10_000, intervalMs: 200 },
      smoke: null,
    } satisfies Manifest);
  });

  it("resolves archive paths against the manifest's folder, and keeps absolute ones", () => {
    const m = parseManifest(
      edit('x86_64 = "localhost/demo:1.0.0"', 'x86_64 = "oci-archive:out/demo.tar"\naarch64 = "oci-archive:/abs/demo.tar"'),
      '/srv/demo/appliance.toml',
    );
    expect(m.images.alpine).toEqual({
      x86_64: { kind: 'oci-archive', path: '/srv/demo/out/demo.tar' },
      aarch64: { kind: 'oci-archive', path: '/abs/demo.tar' },
    });
  });

  it("reads the app's status and documents paths, and a smoke check's document (relative to the manifest) and source", () => {
    const text = `${edit('port = 8080', 'port = 8080\nstatus = "/status"\ndocuments = "/documents"')}
[smoke]
method = "POST"
path = "/ask"
body = "what colour?"
document = "smoke/notes.md"
expect_source = "notes.md"
`;
    const m = parseManifest(text, '/srv/demo/appliance.toml');
    expect(m.app).toMatchObject({ status: '/status', documents: '/documents' });
    expect(m.smoke).toMatchObject({ document: '/srv/demo/smoke/notes.md', expectSource: 'notes.md', expectBody: null });
  });

  it('accepts every spelling TOML allows: dotted keys, inline tables, quoted keys, CRLF, a BOM', () => {
    const text = [
      '\uFEFFname = "demo"',
      'version = "1.0.0"',
      'images.alpine.x86_64 = "localhost/demo:1.0.0"',
      'app = { command = ["/usr/bin/demo"], port = 8080 }',
      'workspace.size = "1GiB"',
      'workspace."exec" = true',
      '"resources" = { memory = "1 GiB", cpus = 0.5, pids = 8 }',
      "[ 'health' ]",
      'path = "/"',
      'timeout = "1m"',
      'interval = "10s"',
    ].join('\r\n');
    expect(parseManifest(text, '/x/appliance.toml')).toMatchObject({
      workspace: { sizeBytes: GiB, exec: true },
      resources: { memBytes: GiB, cpus: 0.5, pids: 8 },
      health: { timeoutMs: 60_000, intervalMs: 10_000 },
    });
  });

  it('accepts registry references by tag, digest and port', () => {
    for (const ref of [
      `quay.io/x/y@sha256:${'a'.repeat(64)}`,
      'registry.example:5000/team/app:1.2',
      `localhost/a_b/c-d:v1@sha256:${'f'.repeat(64)}`,
    ]) {
      expect(parseManifest(edit('localhost/demo:1.0.0', ref), FILE).images.alpine?.x86_64).toEqual({ kind: 'registry', ref });
    }
  });
});

describe('sizes and durations', () => {
  it('parseSize: a whole number and a binary unit', () => {
    expect(['64MiB', '64 MiB', '64M', '64MB', '64mb', '65536KiB', '67108864B'].map(parseSize)).toEqual(Array(7).fill(64 * MiB));
    expect([parseSize('1TiB'), parseSize('2G'), parseSize('0B')]).toEqual([1024 * GiB, 2 * GiB, 0]);
  });

  it('parseSize rejects junk', () => {
    for (const junk of [
      '12 parsecs',
      '-1MiB',
      'NaN',
      'NaNMiB',
      '1.5GiB',
      '64',
      '',
      ' 64MiB',
      '64MiB ',
      '64  MiB',
      'MiB',
      '1e3MiB',
      '0x10MiB',
      'InfinityGiB',
      '99999999999999TiB',
      '64 constructor',
      '64__proto__',
      '64kibibytes',
    ]) {
      expect([junk, parseSize(junk)]).toEqual([junk, null]);
    }
  });

  it('parseDuration: ms, s, m, fractions, and a bare number of seconds', () => {
    expect(['500ms', '10s', '5m', '0ms', '1 s', '1.5m', '0.25s', '10', '2.5', '1.0004s'].map(parseDuration)).toEqual([
      500, 10_000, 300_000, 0, 1000, 90_000, 250, 10_000, 2500, 1000,
    ]);
    for (const junk of ['-1s', '10h', '10S', 'NaNs', 's', '', '1e3ms', '10 seconds', '.5s', '5.s', '1,5s', 'Infinity', '0x10', ' 10s']) {
      expect([junk, parseDuration(junk)]).toEqual([junk, null]);
    }
  });

  it('a manifest takes the durations the command line takes', () => {
    const text = readFileSync(SELFTEST, 'utf8');
    const timeout = (t: string) => parseManifest(text.replace('timeout = "10s"', `timeout = "${t}"`), FILE).health.timeoutMs;
    expect(['10', '1.5m', '2500ms'].map(timeout)).toEqual([10_000, 90_000, 2500]);
  });

  it('editDistance counts a swap as one edit', () => {
    expect([
      editDistance('memroy', 'memory'),
      editDistance('pid', 'pids'),
      editDistance('', 'abc'),
      editDistance('smoke', 'smoke'),
    ]).toEqual([1, 1, 3, 0]);
  });
});
