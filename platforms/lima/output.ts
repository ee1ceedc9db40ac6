// What limactl says, read: its log lines (logrus text, `INFO[0001] message`, or key=value,
// `time="..." level=info msg="..."`, or JSON in ha.stderr.log), the start's progress among them,
// its fatal line, and the failures with a fix a person can follow.

export interface LogLine {
  level: string;
  message: string;
}

const TEXT = /^([A-Z]{4})\[\d+\]\s+(.*?)\s*$/;
const KEY_VALUE = /level=(\w+)\s+msg="((?:[^"\\]|\\.)*)"/;
const LEVELS: Record<string, string> = { INFO: 'info', WARN: 'warning', ERRO: 'error', FATA: 'fatal', DEBU: 'debug' };

/** One of limactl's log lines, in any of its three formats; null for anything else (a progress bar, a message). */
export function logLine(line: string): LogLine | null {
  const text = TEXT.exec(line);
  if (text) return { level: LEVELS[text[1]!] ?? text[1]!.toLowerCase(), message: text[2]!.replace(/\s{2,}\S+=.*$/, '') };
  const kv = KEY_VALUE.exec(line);
  if (kv) return { level: kv[1]!, message: JSON.parse(`"${kv[2]}"`) as string };
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (typeof o.level === 'string' && typeof o.msg === 'string') return { level: o.level, message: o.msg };
    } catch {
      /* not a log line */
    }
  }
  return null;
}

/** What a line of `limactl start` means to a person waiting, or null when it says nothing new. */
export function startProgress(line: string): string | null {
  const m = logLine(line)?.message.replace(/^\[hostagent\]\s*/, '');
  if (!m) return null;
  if (m.startsWith('Attempting to download the image')) return "getting Lima's Alpine image (once; Lima keeps it)";
  if (/^Starting (VZ|QEMU)/.test(m)) return 'booting the virtual machine';
  const wait = /^Waiting for the (essential|optional|final) requirement (\d+) of (\d+)/.exec(m);
  if (wait) return `waiting for the virtual machine (${wait[1]} step ${wait[2]} of ${wait[3]})`;
  if (m.startsWith('READY')) return 'the virtual machine is up';
  return null;
}

/** The last fatal (or error) message of a failed call, else its last line. */
export function fatalOf(stderr: string): string | null {
  const rows = stderr.split(/\r?\n/).filter((l) => l.trim());
  const logged = rows.map(logLine);
  const worst = logged.filter((l) => l?.level === 'fatal').pop() ?? logged.filter((l) => l?.level === 'error').pop();
  return worst?.message ?? rows.pop()?.trim() ?? null;
}

export interface LimaProblem {
  message: string;
  fix: string;
}

/** A failed call's words, with what to do: Apple's virtualization unavailable, a stuck instance, or Lima's own message. */
export function limaProblem(what: string, code: number | null, stderr: string): LimaProblem {
  const fatal = fatalOf(stderr);
  const said = fatal ? `: ${fatal}` : ` (exit ${code})`;
  if (fatal && /VZ driver requires macOS|unsupported build target macOS|Virtualization\.framework|vz.*not supported/i.test(fatal)) {
    return {
      message: `Apple's virtualization cannot start a virtual machine here${said}`,
      fix: 'update macOS to 13.5 or later; on an older Mac ai-way uses QEMU through Lima (brew install qemu)',
    };
  }
  if (fatal && /expected status "Running", got "Broken"|is running but|Broken/.test(fatal)) {
    return {
      message: `Lima's virtual machine is stuck${said}`,
      fix: 'start ai-way again: it stops and removes a stuck virtual machine first',
    };
  }
  return { message: `Lima could not ${what}${said}`, fix: 'run ai-way doctor, and see the log above for what Lima said' };
}
