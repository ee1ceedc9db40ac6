// Every mistake in a manifest is reported as file:line:column with a fix, on one line; files that
// are no manifest at all are refused at 1:1 before they are parsed.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadManifest, ManifestError, MAX_MANIFEST_BYTES, parseManifest, parseManifestBytes } from '../../appliance/manifest.ts';
import { readCarried } from '../../platforms/embedded.ts';
import { edit, error, failure, FILE, GiB, VALID } from '../support/manifests.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-manifest-'));

/** The failure loading a manifest file gives (a manifest that loads fails the test). */
const load = (p: string) =>
  loadManifest(p, readCarried).then(
    () => {
      throw new Error('loaded');
    },
    (e: unknown) => e as ManifestError,
  );

describe('each mistake names file:line:column and a fix', () => {
  const cases: [string, string, string][] = [
    // TOML syntax, from smol-toml's positions
    [
      'unfinished string',
      edit('port = 8080', 'port = "8080'),
      '9:13: TOML syntax error: the string is not closed on its line; close it with the quote that opens it',
    ],
    [
      'unfinished string at the end of the file',
      `${VALID}description = "x`,
      '22:15: TOML syntax error: unfinished string; close the string with the quote that opens it',
    ],
    [
      'unquoted text',
      edit('name = "demo"', 'name = demo'),
      '1:8: TOML syntax error: invalid value; write text in quotes ("..."), or a number, true, false, an [array] or a {table}',
    ],
    [
      'a key twice',
      edit('cpus = 1', 'cpus = 1\ncpus = 2'),
      '17:1: TOML syntax error: trying to redefine an already defined table or value; ' +
        'each key and [table] may appear only once: remove or merge the duplicate',
    ],
    ['an unclosed header', edit('[app]', '[app'), '7:5: TOML syntax error: the [table] header is not closed; close it with ]'],
    [
      'an unclosed array',
      edit('["/usr/bin/demo"]', '["/usr/bin/demo"'),
      '9:1: TOML syntax error: expected comma or end of structure; ' +
        'separate items with commas and close [arrays] with ] and {tables} with }',
    ],
    // unknown keys
    ['a typo', edit('memory =', 'memroy ='), "15:1: unknown key 'memroy' in [resources]; did you mean 'memory'?"],
    ['a misspelt table', edit('[health]', '[helth]'), "19:1: unknown key 'helth'; did you mean 'health'?"],
    ['an architecture alias', edit('x86_64 =', 'amd64 ='), "5:1: unknown key 'amd64' in [images.alpine]; did you mean 'x86_64'?"],
    [
      'an unknown flavor',
      edit('[images.alpine]', '[images.debian]'),
      "4:1: unknown key 'debian' in [images]; remove it ([images] takes fedora, alpine)",
    ],
    [
      'a top-level key below a table',
      edit('timeout = "10s"', 'timeout = "10s"\ndescription = "x"'),
      "22:1: unknown key 'description' in [health]; keys below a [table] header belong to it: move this one above the first [table]",
    ],
    [
      'a key in the wrong table',
      edit('timeout = "10s"', 'timeout = "10s"\nport = 80'),
      "22:1: unknown key 'port' in [health]; it belongs in [app]: move it there",
    ],
    [
      'an unknown top-level key',
      edit('version =', 'colour = "red"\nversion ='),
      "2:1: unknown key 'colour'; " +
        'remove it (the top level takes name, version, description, images, app, workspace, resources, gpu, isolation, model, ' +
        'health, smoke)',
    ],
    // missing keys and tables
    [
      'a missing key points at its table',
      edit('pids = 64\n', ''),
      "14:1: [resources] has no 'pids'; add pids = 64 (a whole number of processes from 8 to 65536)",
    ],
    [
      'a missing top-level key',
      edit('version = "1.0.0"\n', ''),
      '1:1: the manifest has no \'version\'; add version = "0.1.0" above the first [table]',
    ],
    [
      'a missing table',
      edit('[health]\npath = "/health"\ntimeout = "10s"\n', ''),
      '1:1: the manifest has no [health] table; add [health] with path = "/health" and timeout = "10s"',
    ],
    // values
    [
      'a name with capitals',
      edit('"demo"', '"Demo"'),
      '1:1: \'name\' is "Demo", not a name of up to 40 lowercase letters, digits and dashes that starts with a letter; ' +
        'write lowercase letters, digits and dashes, starting with a letter, like name = "selftest"',
    ],
    [
      'a version that is not semver',
      edit('"1.0.0"\n', '"1.0"\n'),
      '2:1: \'version\' is "1.0", not a version like 1.2.3; write a version like 1.2.3, like version = "0.1.0"',
    ],
    [
      'a size in parsecs',
      edit('"256MiB"', '"12 parsecs"'),
      '15:1: \'memory\' in [resources] is "12 parsecs", not a size; ' +
        'write a whole number and a unit (B, KiB, MiB, GiB, TiB), from 16MiB to 1TiB, like memory = "256MiB"',
    ],
    [
      'too little memory',
      edit('"256MiB"', '"8MiB"'),
      '15:1: \'memory\' in [resources] is "8MiB", less than 16MiB; write a size from 16MiB to 1TiB, like memory = "256MiB"',
    ],
    [
      'a size as a bare number',
      edit('size = "64MiB"', 'size = 67108864'),
      '12:1: \'size\' in [workspace] must be a size from 1MiB to 64GiB, not the number 67108864; write it like size = "64MiB"',
    ],
    [
      'a quoted number',
      edit('cpus = 1', 'cpus = "1"'),
      '16:1: \'cpus\' in [resources] must be a number of processors above 0, at most 1024, not "1"; write it like cpus = 1',
    ],
    [
      'zero processors',
      edit('cpus = 1', 'cpus = 0'),
      "16:1: 'cpus' in [resources] is 0, not above 0 and at most 1024; write a number of processors above 0, at most 1024, like cpus = 1",
    ],
    [
      'a fraction of a process',
      edit('pids = 64', 'pids = 64.5'),
      "17:1: 'pids' in [resources] is 64.5, not a number of processes from 8 to 65536; " +
        'write a whole number of processes from 8 to 65536, like pids = 64',
    ],
    [
      'nan as a port',
      edit('port = 8080', 'port = nan'),
      "9:1: 'port' in [app] must be a port from 1 to 65535, not the number nan; write it like port = 8080",
    ],
    [
      'a duration that is no number',
      edit('"10s"', '"ten"'),
      '21:1: \'timeout\' in [health] is "ten", not a duration; write a number of seconds, or a number and ms, s or m ' +
        '(like 10s, 1.5m, 500ms), from 1s to 10m, like timeout = "10s"',
    ],
    [
      'an unknown GPU wish',
      edit('timeout = "10s"\n', 'timeout = "10s"\n[gpu]\nwish = "maybe"\n'),
      '23:1: \'wish\' in [gpu] must be one of "auto", "required", "none", not "maybe"; write it like wish = "auto"',
    ],
    [
      'a path without its slash',
      edit('"/health"', '"health"'),
      '20:1: \'path\' in [health] is "health", not a URL path that starts with "/" and has no spaces; ' +
        'write a URL path that starts with "/", like path = "/health"',
    ],
    [
      'a table where a value goes',
      edit('port = 8080', 'port = { number = 8080 }'),
      "9:1: 'port' in [app] must be a port from 1 to 65535, not a table; write it like port = 8080",
    ],
    // arrays: the element itself
    [
      'an empty argument',
      edit('["/usr/bin/demo"]', '["/usr/bin/demo", ""]'),
      "8:29: element 2 of 'command' in [app] is empty; " +
        'write an array of text, the first an absolute path, like command = ["/usr/local/bin/app", "--flag"]',
    ],
    [
      'a number as an argument, on its own line',
      edit('["/usr/bin/demo"]', '[\n  "/usr/bin/demo",\n  5,\n]'),
      '10:3: element 2 of \'command\' in [app] must be text, not the number 5; write it like command = ["/usr/local/bin/app", "--flag"]',
    ],
    [
      'a relative program',
      edit('"/usr/bin/demo"', '"demo"'),
      '8:12: element 1 of \'command\' in [app] is "demo", not an absolute path; ' +
        'write the program\'s full path inside the image, like "/usr/local/bin/app"',
    ],
    [
      'an empty command',
      edit('["/usr/bin/demo"]', '[]'),
      '8:1: \'command\' in [app] is empty; name the program to run, like command = ["/usr/local/bin/app", "--flag"]',
    ],
    // images
    [
      'a short image name',
      edit('"localhost/demo:1.0.0"', '"demo:1.0.0"'),
      '5:1: \'x86_64\' in [images.alpine] is "demo:1.0.0", which does not name its registry; ' +
        'write the full name with its registry, like x86_64 = "localhost/ai-way-alpine:0.1.0"',
    ],
    [
      'an image without a tag',
      edit('"localhost/demo:1.0.0"', '"quay.io/x/demo"'),
      '5:1: \'x86_64\' in [images.alpine] is "quay.io/x/demo", with no tag or digest; ' +
        'pin the image with a :tag or an @sha256: digest, like x86_64 = "localhost/ai-way-alpine:0.1.0"',
    ],
    [
      'an archive without a path',
      edit('"localhost/demo:1.0.0"', '"oci-archive:"'),
      '5:1: \'x86_64\' in [images.alpine] is "oci-archive:", with no path after oci-archive:; ' +
        'write "oci-archive:<path>" or an image reference with its registry and a tag or digest, ' +
        'like x86_64 = "localhost/ai-way-alpine:0.1.0"',
    ],
    [
      'a flavor with no image',
      edit('[images.alpine]\nx86_64 = "localhost/demo:1.0.0"\n', '[images.alpine]\n[images.fedora]\naarch64 = "localhost/demo:1.0.0"\n'),
      '4:1: [images.alpine] names no image; add x86_64 = "..." or aarch64 = "..." under it, or remove it',
    ],
    [
      'no image at all',
      edit('[images.alpine]\nx86_64 = "localhost/demo:1.0.0"\n', 'images = {}\n'),
      '4:1: [images] names no image; add [images.alpine] with x86_64 = "localhost/ai-way-alpine:0.1.0"',
    ],
    // across keys
    [
      'an interval longer than the timeout',
      edit('timeout = "10s"', 'timeout = "1s"\ninterval = "2s"'),
      "22:1: 'interval' in [health] is longer than 'timeout'; make the interval shorter than the timeout",
    ],
    [
      'a GET with a body',
      `${VALID}\n[smoke]\nmethod = "GET"\npath = "/"\nbody = "x"\n`,
      '26:1: \'body\' in [smoke] is set, but a GET request sends no body; use method = "POST", or remove body',
    ],
    [
      'an empty smoke document',
      `${VALID}\n[smoke]\nmethod = "POST"\npath = "/ask"\ndocument = ""\n`,
      "26:1: 'document' in [smoke] is empty; write a file's path, relative to the manifest, like document = \"smoke/notes.md\"",
    ],
    [
      'an empty source to expect',
      `${VALID}\n[smoke]\nmethod = "POST"\npath = "/ask"\nexpect_source = ""\n`,
      '26:1: \'expect_source\' in [smoke] is empty; write the name of a file the answer must cite, like expect_source = "notes.md"',
    ],
    [
      'a status path without its slash',
      edit('port = 8080', 'port = 8080\nstatus = "status"'),
      '10:1: \'status\' in [app] is "status", not a URL path that starts with "/" and has no spaces; ' +
        'write a URL path that starts with "/", like status = "/status"',
    ],
  ];

  it.each(cases)('%s', (_, text, expected) => {
    const e = failure(text);
    expect(e.oneLine()).toBe(`${FILE}:${expected}`);
    expect(`${e.line}:${e.column}: ${e.problem}; ${e.fix}`).toBe(expected);
    expect(e.file).toBe(FILE);
  });

  it('points into dotted keys and inline tables', () => {
    const text = [
      'name = "demo"',
      'version = "1.0.0"',
      'images.alpine.x86_64 = "localhost/demo:1.0.0"',
      'app = { command = ["/usr/bin/demo"], port = 80800 }',
      'workspace.size = "64MiB"',
      'workspace."exec" = "yes"',
      '"resources" = { memory = "256MiB", cpus = 1 }',
      'health = { path = "/health", timeout = "10s" }',
    ].join('\n');
    expect(failure(text).oneLine()).toBe(
      `${FILE}:4:38: 'port' in [app] is 80800, not a port from 1 to 65535; write a port from 1 to 65535, like port = 8080`,
    );
    const fixed = text.replace('80800', '8080');
    expect(failure(fixed).oneLine()).toBe(
      `${FILE}:6:11: 'exec' in [workspace] must be true or false, not "yes"; write it like exec = false`,
    );
    // Missing from an inline table: the table's key.
    expect(failure(fixed.replace('"yes"', 'true')).oneLine()).toMatch(new RegExp(`^${FILE}:7:1: \\[resources\\] has no 'pids'; `));
  });

  it('prefers a typo to the missing key it causes, and the first problem in the file', () => {
    expect(failure(edit('pids = 64', 'pid = 64').replace('"/health"', '"health"')).oneLine()).toMatch(
      /:17:1: unknown key 'pid' in \[resources\]; did you mean 'pids'\?$/,
    );
  });

  it('keeps the message on one line whatever the keys and values hold', () => {
    const e = failure(edit('cpus = 1', 'cpus = 1\n"a\\nb\\u2028c" = 1'));
    expect(e.oneLine()).toBe(`${FILE}:17:1: unknown key "a\\nb\\u2028c" in [resources]; remove it ([resources] takes memory, cpus, pids)`);
    expect(failure(edit('"/health"', '"/he\\u0000\\r\\nalth"')).oneLine()).toMatch(/^[^\n\r]*is "\/he\\u0000\\r\\nalth", not a URL path/);
    expect(error(() => parseManifest('', 'a\nb.toml')).oneLine()).toBe(
      "a\\u000ab.toml:1:1: the file is empty; write the appliance's name, version, [images], [app], [workspace], [resources] and [health]",
    );
  });
});

describe('files that are not manifests: line 1, column 1', () => {
  it('empty, or only blanks', () => {
    for (const text of ['', ' \n\t\r\n', '\uFEFF'])
      expect(failure(text)).toMatchObject({ line: 1, column: 1, problem: 'the file is empty' });
  });

  it('not UTF-8', () => {
    const e = error(() => parseManifestBytes(new Uint8Array([0x6e, 0x61, 0xff, 0xfe, 0x0a]), FILE));
    expect(e.oneLine()).toBe(`${FILE}:1:1: the file is not UTF-8 text; save it as UTF-8`);
    // UTF-16, as Windows Notepad saves "Unicode".
    expect(error(() => parseManifestBytes(new Uint8Array(Buffer.from('\uFEFFname = "x"', 'utf16le')), FILE)).problem).toBe(
      'the file is not UTF-8 text',
    );
    expect(failure('name = "\uD800"')).toMatchObject({ line: 1, column: 1, problem: 'the file is not UTF-8 text' });
  });

  it('larger than 64 KiB; exactly 64 KiB is fine', () => {
    const exact = VALID + '#'.repeat(MAX_MANIFEST_BYTES - VALID.length);
    expect(parseManifest(exact, FILE).name).toBe('demo');
    expect(parseManifestBytes(Buffer.from(exact), FILE).name).toBe('demo');
    expect(failure(`${exact}#`).oneLine()).toBe(
      `${FILE}:1:1: the file is larger than the 64 KiB a manifest may have; check that this is the appliance.toml`,
    );
    expect(error(() => parseManifestBytes(Buffer.from(`${exact}é`), FILE)).problem).toBe(
      'the file is larger than the 64 KiB a manifest may have',
    );
  });

  it('loadManifest: a missing file, a folder, a huge file, not UTF-8', async () => {
    const dir = tmp();
    expect((await load(path.join(dir, 'none.toml'))).oneLine()).toBe(
      `${path.join(dir, 'none.toml')}:1:1: no such file; check the path of the appliance.toml`,
    );
    mkdirSync(path.join(dir, 'sub'));
    expect(await load(path.join(dir, 'sub'))).toMatchObject({ line: 1, column: 1, problem: 'this is a folder, not a file' });
    writeFileSync(path.join(dir, 'big.toml'), '#'.repeat(10 * MAX_MANIFEST_BYTES));
    expect((await load(path.join(dir, 'big.toml'))).problem).toBe('the file is larger than the 64 KiB a manifest may have');
    writeFileSync(path.join(dir, 'latin1.toml'), Buffer.from('name = "caf\xe9"', 'latin1'));
    expect((await load(path.join(dir, 'latin1.toml'))).problem).toBe('the file is not UTF-8 text');
    expect(await load(path.join(dir, 'latin1.toml'))).toBeInstanceOf(ManifestError);
  });

  it('loadManifest through what ai-way carries: a named pipe, a device and a huge file are refused before they are read', async () => {
    const dir = tmp();
    execFileSync('mkfifo', [path.join(dir, 'fifo.toml')]);
    expect((await load(path.join(dir, 'fifo.toml'))).oneLine()).toBe(
      `${path.join(dir, 'fifo.toml')}:1:1: this is a named pipe (FIFO), not a regular file; name the appliance.toml file itself`,
    );
    expect((await load('/dev/zero')).problem).toBe('this is a character device, not a regular file');
    // 8 GiB on paper, nothing on disk: refused by its size, never read.
    writeFileSync(path.join(dir, 'huge.toml'), '');
    truncateSync(path.join(dir, 'huge.toml'), 8 * GiB);
    expect((await load(path.join(dir, 'huge.toml'))).problem).toBe('the file is larger than the 64 KiB a manifest may have');
  });

  it("loadManifest resolves archives against the manifest's folder, not the working directory", async () => {
    const dir = tmp();
    const file = path.join(dir, 'appliance.toml');
    writeFileSync(file, edit('"localhost/demo:1.0.0"', '"oci-archive:img/demo.tar"'));
    const m = await loadManifest(path.relative(process.cwd(), file), readCarried);
    expect(m.file).toBe(file);
    expect(m.images.alpine?.x86_64).toEqual({ kind: 'oci-archive', path: path.join(dir, 'img/demo.tar') });
  });
});
