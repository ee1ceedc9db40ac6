// What the person sees. Pure components of the UI state; the controller does everything else.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { formatBytes } from '../render/doctor.ts';
import { terminalText as safe } from '../render/terminal-text.ts';
import type { BootStage, Check, UiState } from './state.ts';

export interface Look {
  color: boolean;
  unicode: boolean;
  width: number;
  height: number;
}

const BOOT_STAGES: { stage: BootStage; label: string }[] = [
  { stage: 'preparing', label: 'Preparing' },
  { stage: 'starting', label: 'Starting' },
  { stage: 'checking isolation', label: 'Checking the isolation' },
  { stage: 'ready', label: 'Ready' },
];
const STALL_MS = 5000;

function marks(l: Look) {
  return l.unicode
    ? { ok: '✔', bad: '✘', skip: '–', unknown: '?', spin: '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏', full: '█', empty: '░', prompt: '›' }
    : { ok: '+', bad: 'x', skip: '-', unknown: '?', spin: '|/-\\', full: '#', empty: '.', prompt: '>' };
}

const C = ({ l, color, children, bold }: { l: Look; color?: string; children: ReactNode; bold?: boolean }) =>
  <Text color={l.color ? color : undefined} bold={bold}>{children}</Text>;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function bar(fraction: number, width: number, l: Look): string {
  const m = marks(l);
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return m.full.repeat(full) + m.empty.repeat(width - full);
}

function spinner(now: number, l: Look): string {
  const frames = marks(l).spin;
  return frames[Math.floor(now / 100) % frames.length]!;
}

function CheckRow({ c, l, now }: { c: Check; l: Look; now: number }) {
  const m = marks(l);
  const mark = c.status === 'pending' ? <C l={l} color="cyan">{spinner(now, l)}</C>
    : c.status === 'ok' ? <C l={l} color="green">{m.ok}</C>
    : c.status === 'missing' ? <C l={l} color="red">{m.bad}</C>
    : c.status === 'unknown' ? <C l={l} color="yellow">{m.unknown}</C> : <C l={l} color="gray">{m.skip}</C>;
  return (
    <Box flexDirection="column">
      <Text>  {mark} {c.label.padEnd(24)} {c.detail}</Text>
      {c.status === 'missing' && c.fix ? <Box marginLeft={6} width={Math.max(20, l.width - 8)}><Text wrap="wrap">{c.fix}</Text></Box> : null}
    </Box>
  );
}

export function Preflight({ s, l }: { s: UiState; l: Look }) {
  const blocked = s.checksDone && s.checks.some((c) => c.status === 'missing' && c.id !== 'gpu-driver');
  return (
    <Box flexDirection="column">
      <C l={l} bold>Getting ready</C>
      <Text> </Text>
      {s.checks.map((c) => <CheckRow key={c.id} c={c} l={l} now={s.boot.now} />)}
      <Text> </Text>
      {blocked ? <Text>r check again · c copy the command · d details · q quit</Text> : null}
      {s.notice ? <C l={l} color="yellow">{safe(s.notice)}</C> : null}
    </Box>
  );
}

export function Boot({ s, l }: { s: UiState; l: Look }) {
  const m = marks(l);
  const at = BOOT_STAGES.findIndex((b) => b.stage === s.boot.stage);
  const elapsed = s.boot.now - s.boot.startedAt;
  const inStage = s.boot.now - s.boot.stageSince;
  return (
    <Box flexDirection="column">
      <C l={l} bold>Starting your private appliance</C>
      <Text> </Text>
      {BOOT_STAGES.map((b, i) => (
        <Text key={b.stage}>  {i < at ? <C l={l} color="green">{m.ok}</C> : i === at ? <C l={l} color="cyan">{spinner(s.boot.now, l)}</C> : ' '} {b.label}</Text>
      ))}
      <Text> </Text>
      <Text>  {bar((at + 0.5) / BOOT_STAGES.length, Math.min(40, l.width - 16), l)} {seconds(elapsed)}</Text>
      {inStage > STALL_MS ? <C l={l} color="yellow">  Still {BOOT_STAGES[at]?.label.toLowerCase()} after {Math.round(inStage / 1000)} s; this can take a while the first time.</C> : null}
    </Box>
  );
}

export function Ready({ s, l }: { s: UiState; l: Look }) {
  const m = marks(l);
  const free = s.freeBytes === null ? '' : ` · ${formatBytes(s.freeBytes)} free`;
  const uploads = s.uploads.filter((u) => u.state !== 'done' || s.files.every((f) => f.name !== u.name));
  // Room left for the conversation: the screen's height less what is already drawn.
  const used = 6 + Math.min(s.files.length, 6) + uploads.length + (s.notice ? 1 : 0);
  const talk = s.exchanges.flatMap((x) => [`${m.prompt} ${safe(x.question)}`, ...safe(x.answer || (x.done ? '' : '…'), true).trimEnd().split('\n').map((a) => `  ${a}`)]);
  const shown = talk.slice(-Math.max(1, l.height - used));
  return (
    <Box flexDirection="column">
      <C l={l} bold>Ready. Drop files on this window, or type a question.</C>
      <Text>Files ({s.files.length}{free})</Text>
      {s.files.slice(0, 6).map((f) => <Text key={f.name}>  {safe(f.name).slice(0, l.width - 16).padEnd(Math.min(40, l.width - 16))} {formatBytes(f.size).padStart(9)}</Text>)}
      {s.files.length > 6 ? <Text>  … and {s.files.length - 6} more</Text> : null}
      {uploads.map((u) => (
        <Text key={u.name}>  {u.state === 'refused' ? <C l={l} color="red">{m.bad} {safe(u.name)}: {safe(u.message ?? '')}</C>
          : <>{safe(u.name).slice(0, 24).padEnd(24)} {bar(u.total ? u.sent / u.total : 0, 20, l)} {u.total ? Math.round((u.sent / u.total) * 100) : 0}%</>}</Text>
      ))}
      {shown.map((line, i) => <Text key={i} wrap="truncate">{line}</Text>)}
      {s.notice ? <C l={l} color="yellow">{safe(s.notice)}</C> : null}
      <Text>{m.prompt} {s.input}<Text inverse> </Text></Text>
      <C l={l} color="gray">? help · d details · q quit</C>
    </Box>
  );
}

export function Help({ l }: { l: Look }) {
  return (
    <Box flexDirection="column" borderStyle={l.unicode ? 'round' : 'classic'} paddingX={1}>
      <Text bold>Help</Text>
      <Text>Drop files on this window to add them; they stay only while ai-way runs.</Text>
      <Text>Type a question and press Enter; the answer comes from your files.</Text>
      <Text>?  this help      d  details      q or Ctrl-C  quit and erase everything</Text>
      <Text>Esc closes this.</Text>
    </Box>
  );
}

export function Details({ s, l }: { s: UiState; l: Look }) {
  return (
    <Box flexDirection="column" borderStyle={l.unicode ? 'round' : 'classic'} paddingX={1}>
      <Text bold>Details</Text>
      {s.details.length ? s.details.map((d) => <Text key={d.label} wrap="truncate">{safe(d.label).padEnd(20)} {safe(d.value)}</Text>) : <Text>Nothing started yet.</Text>}
      <Text>Esc closes this.</Text>
    </Box>
  );
}

export function ErrorScreen({ s, l }: { s: UiState; l: Look }) {
  const e = s.error!;
  return (
    <Box flexDirection="column">
      <C l={l} color="red" bold>Something went wrong</C>
      <Text> </Text>
      <Text wrap="wrap">{safe(e.message)}</Text>
      <Text> </Text>
      <Text wrap="wrap">{e.whatToDo}</Text>
      {e.detail ? <C l={l} color="gray">{safe(e.detail, true).split('\n').slice(-4).join('\n')}</C> : null}
      {e.logPath ? <Text>Log: {e.logPath}</Text> : null}
      <Text> </Text>
      <Text>d details · q quit (everything is erased)</Text>
    </Box>
  );
}

export function Screen({ s, l }: { s: UiState; l: Look }) {
  const body = s.screen === 'preflight' ? <Preflight s={s} l={l} />
    : s.screen === 'boot' ? <Boot s={s} l={l} />
    : s.screen === 'ready' ? <Ready s={s} l={l} />
    : s.screen === 'wiping' ? <Text>Erasing everything…</Text>
    : s.screen === 'erased' ? <C l={l} color="green" bold>Everything was erased{s.erasedMs !== null ? ` (${seconds(s.erasedMs)})` : ''}.</C>
    : <ErrorScreen s={s} l={l} />;
  // An overlay takes the body's place: both would not fit 24 rows.
  return (
    <Box flexDirection="column" width={l.width}>
      {s.overlay === 'help' ? <Help l={l} /> : s.overlay === 'details' ? <Details s={s} l={l} /> : body}
      {s.confirmQuit ? <C l={l} color="yellow" bold>Quit and erase everything? y / n</C> : null}
    </Box>
  );
}
