// The launcher's end of the agent channel against what a hostile appliance can send: the real
// agent (outside a container, building its own sandbox, as root) running a small hostile HTTP
// server as its app, and, for an event flood, a stand-in agent that replays frames recorded from
// the real agent. An app can no longer reach the agent's output; the launcher must survive such
// frames all the same.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FRAME, FrameDecoder, encodeFrame, type AgentMessage } from '../../appliance/agent-protocol.ts';
import { AgentChannel, EVENT_BURST } from '../../launcher/session/channel.ts';
import { HttpRefused, MAX_ANSWER_BYTES, httpRequest } from '../../launcher/session/http.ts';
import { FileRefused, uploadFile } from '../../launcher/session/files.ts';

const AGENT = path.resolve(import.meta.dirname, '../../build/native', `ai-way-agent-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}`);
const missing = existsSync(AGENT) ? null : `${AGENT} is not built (npm run build)`;
if (missing) console.warn(`SKIPPING launcher channel tests: ${missing}`);

const ends: (() => void)[] = [];
afterEach(() => {
  for (const end of ends.splice(0)) end();
});

function agent(app: string[]): { child: ChildProcessWithoutNullStreams; workspace: string } {
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'ai-way-channel-')), 'workspace');
  mkdirSync(workspace);
  const child = spawn(AGENT, ['--workspace', workspace, '--', ...app], { stdio: ['pipe', 'pipe', 'pipe'] });
  ends.push(() => child.stdin.end());
  return { child, workspace };
}

async function readyAgent() {
  const a = agent(['/bin/sleep', '600']);
  const ch = new AgentChannel(a.child.stdin, a.child.stdout, () => undefined);
  await ch.expect((m) => m.type === 'hello', 5000, 'hello');
  return { ...a, ch };
}

/** The control frames the real agent writes, as bytes: hello and app-exited of an app that ends at once, and a STATUS reply. */
async function recordedFrames(): Promise<Map<string, Uint8Array>> {
  const a = agent(['/bin/true']);
  const decoder = new FrameDecoder();
  const frames = new Map<string, Uint8Array>();
  await new Promise<void>((resolve) => {
    a.child.stdout.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        const type = JSON.parse(new TextDecoder().decode(f.payload)).type as string;
        frames.set(type, encodeFrame(f.type, f.stream, f.payload));
        if (type === 'app-exited') a.child.stdin.write(encodeFrame(FRAME.control, 0, new TextEncoder().encode('STATUS')));
        if (type === 'status') resolve();
      }
    });
  });
  return frames;
}

/**
 * An agent whose app serves HTTP on 127.0.0.1:8080 of its own network namespace: `answer` is the
 * body of a Node function (socket, connections) run for each connection, as the app's user.
 */
async function serving(answer: string) {
  const connection = `n++; socket.on('error', () => {}); ((socket, connections) => { ${answer} })(socket, n);`;
  const server = `let n = 0; require('node:net').createServer((socket) => { ${connection} })
    .listen(8080, '127.0.0.1', () => process.stdout.write('listening\\n'));`;
  const a = agent([process.execPath, '-e', server]);
  const ch = new AgentChannel(a.child.stdin, a.child.stdout, () => undefined);
  await ch.expect((m) => m.type === 'hello', 5000, 'hello');
  await new Promise<void>((resolve) =>
    a.child.stderr.on('data', (b) => {
      if (String(b).includes('listening')) resolve();
    }),
  );
  return { ...a, ch, port: 8080 };
}

describe.skipIf(missing !== null)('a flood of events nobody asked for', () => {
  it('200,000 recorded app-exited frames give a few events and one count of the rest; requests are still answered', async () => {
    const recorded = await recordedFrames();
    const n = 200_000;
    // The stand-in agent: the recorded hello, the flood, then the recorded STATUS reply to each command.
    const standIn = spawn(
      process.execPath,
      [
        '-e',
        `
      const [hello, exited, status] = process.argv.slice(1).map((b) => Buffer.from(b, 'base64'));
      process.stdout.write(Buffer.concat([hello, Buffer.concat(Array(${n}).fill(exited))]));
      process.stdin.on('data', () => process.stdout.write(status));
      process.stdin.on('end', () => process.exit(0));
    `,
        ...['hello', 'app-exited', 'status'].map((t) => Buffer.from(recorded.get(t)!).toString('base64')),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    ends.push(() => standIn.stdin.end());
    const events: AgentMessage[] = [];
    const floods: number[] = [];
    const ch = new AgentChannel(standIn.stdin, standIn.stdout, (m) => events.push(m), { onFlood: (held) => floods.push(held) });
    await ch.expect((m) => m.type === 'hello', 5000, 'hello');
    expect(await ch.request('STATUS', 'status', 30_000)).toMatchObject({ type: 'status' });
    standIn.stdin.end();
    await new Promise((resolve) => standIn.on('close', resolve));
    expect(events).toHaveLength(EVENT_BURST.limit);
    expect(events[0]).toEqual({ type: 'app-exited', exitCode: 0, signal: null });
    expect(floods).toEqual([n - EVENT_BURST.limit]);
  });
});

const notRoot = process.getuid?.() !== 0 ? "the agent builds its app's sandbox only as root outside a container" : null;

describe.skipIf(missing !== null || notRoot !== null)('HTTP answers from a hostile app', () => {
  it('an endless answer is cut off at the cap, streamed or not, the agent stops reading it, and the channel goes on', async () => {
    // The first two connections never stop answering; later ones say how many of those were closed on the app.
    const a = await serving(`globalThis.closed ??= 0;
      if (connections > 2) { socket.end('HTTP/1.0 200 OK\\r\\n\\r\\nclosed: ' + globalThis.closed); return; }
      const chunk = Buffer.alloc(64 * 1024, 'x');
      socket.on('close', () => { globalThis.closed++; });
      socket.write('HTTP/1.0 200 OK\\r\\n\\r\\n');
      const more = () => { while (!socket.destroyed && socket.write(chunk)); };
      socket.on('drain', more);
      more();`);
    let streamed = 0;
    await expect(
      httpRequest(a.ch, a.port, 'GET', '/', '', 60_000, (text) => {
        streamed += text.length;
      }),
    ).rejects.toThrow(HttpRefused);
    expect(streamed).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    await expect(httpRequest(a.ch, a.port, 'GET', '/', '', 60_000)).rejects.toThrow(
      `the app's answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, so it was cut off`,
    );
    let closed = '';
    for (const until = Date.now() + 5000; closed !== 'closed: 2' && Date.now() < until; )
      closed = (await httpRequest(a.ch, a.port, 'GET', '/', '', 5000)).body;
    expect(closed).toBe('closed: 2');
    expect(await a.ch.request('LIST', 'list', 5000)).toMatchObject({ type: 'list' });
  });

  it('an answer that trickles in does not extend the deadline', async () => {
    const a = await serving(`socket.write('HTTP/1.0 200 OK\\r\\n\\r\\n');
      const timer = setInterval(() => socket.write('.'), 50);
      socket.on('close', () => clearInterval(timer));`);
    let trickled = '';
    await expect(
      httpRequest(a.ch, a.port, 'GET', '/', '', 1000, (text) => {
        trickled += text;
      }),
    ).rejects.toThrow('no complete HTTP answer within 1000 ms');
    expect(trickled).toMatch(/^\.+$/);
  });

  it('a request line with CR, LF or an unknown method is refused before anything is sent', async () => {
    // The server answers with how many connections it has had: only the last request may reach it.
    const a = await serving("socket.end('HTTP/1.0 200 OK\\r\\n\\r\\nconnections: ' + connections);");
    for (const [method, p] of [
      ['GET', '/x\r\nX-Injected: 1'],
      ['GET', '/x y'],
      ['GET', 'x'],
      ['GET', '/\u0000'],
      ['PUT', '/x'],
      ['GET /x HTTP/1.0\r\n', '/x'],
    ]) {
      await expect(httpRequest(a.ch, a.port, method!, p!, '', 5000)).rejects.toThrow(HttpRefused);
    }
    expect(await httpRequest(a.ch, a.port, 'GET', '/x', '', 5000)).toEqual({ status: 200, contentType: null, body: 'connections: 1' });
  });
});

describe.skipIf(missing !== null)('files in, when the file changes under the launcher', () => {
  const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

  function files() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-files-in-'));
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'the notes that were checked\n');
    const secret = path.join(dir, 'secret');
    writeFileSync(secret, 'SECRET\n');
    return { dir, file, secret };
  }

  /** Runs `swap` when the upload asks for the listing: after the file was looked at, before it is read. */
  function swapOnList(ch: AgentChannel, swap: () => void): void {
    const request = ch.request.bind(ch);
    ch.request = ((line: string, ...rest: [never, number, number?]) => {
      if (line === 'LIST') swap();
      return request(line, ...rest);
    }) as typeof ch.request;
  }

  it.each([
    [
      'a link to another file',
      (f: ReturnType<typeof files>) => {
        unlinkSync(f.file);
        symlinkSync(f.secret, f.file);
      },
    ],
    [
      'a FIFO',
      (f: ReturnType<typeof files>) => {
        renameSync(f.file, `${f.file}.old`);
        spawnSync('mkfifo', [f.file]);
      },
    ],
  ])('a file swapped for %s after it was looked at: what was checked is sent, never the new thing', async (_, swap) => {
    const f = files();
    const a = await readyAgent();
    swapOnList(a.ch, () => swap(f));
    const done = await uploadFile(a.ch, f.file).catch((e: Error) => e);
    expect(done).toEqual({ name: 'notes.txt', size: 28, sha256: sha('the notes that were checked\n') });
    expect(readFileSync(path.join(a.workspace, 'notes.txt'), 'utf8')).toBe('the notes that were checked\n');
  });

  it('a path that is a link, a FIFO or a folder is refused at once, and not followed', async () => {
    const f = files();
    const a = await readyAgent();
    symlinkSync(f.secret, path.join(f.dir, 'link.txt'));
    spawnSync('mkfifo', [path.join(f.dir, 'fifo')]);
    await expect(uploadFile(a.ch, path.join(f.dir, 'link.txt'))).rejects.toThrow(
      'link.txt: only regular files can be added (this is a link)',
    );
    await expect(uploadFile(a.ch, path.join(f.dir, 'fifo'))).rejects.toThrow(
      'fifo: only regular files can be added (this is a device or special file)',
    );
    await expect(uploadFile(a.ch, f.dir)).rejects.toThrow('only regular files can be added (this is a folder)');
  });

  it('a file that grows while it is sent is refused as changed', async () => {
    const f = files();
    writeFileSync(f.file, Buffer.alloc(1024 * 1024, 'a'));
    const a = await readyAgent();
    let grown = false;
    const upload = uploadFile(a.ch, f.file, () => {
      if (!grown) {
        grown = true;
        appendFileSync(f.file, 'more');
      }
    });
    await expect(upload).rejects.toThrow(
      new FileRefused('notes.txt: the file changed while it was being read; add it again once it is complete'),
    );
  });
});
