// Bolt as the engine: it is given the same `run` as Podman, but only if its `run` offers every flag
// the isolation needs. Bolt 0.1.0's `run` takes only -n, -p, -e, -v, -d, --runtime and --gpu (and
// logs --gpu, then drops it), so it is refused before anything starts; an engine that claims the
// flags and ignores them is caught by the isolation proof from inside.
import { runCommand } from '../host/probe.ts';
import { decodeText } from '../host/text.ts';

/** The flags ai-way's `run` uses that carry the isolation (see appliance/engines/podman.ts). */
export const ISOLATION_FLAGS = [
  '--interactive',
  '--network',
  '--read-only',
  '--cap-drop',
  '--security-opt',
  '--tmpfs',
  '--memory',
  '--pids-limit',
  '--ulimit',
  '--device',
  '--volume',
  '--env',
  '--entrypoint',
] as const;

/** The isolation flags `bolt run --help` does not list. */
export async function boltMissingFlags(): Promise<{ found: boolean; missing: string[] }> {
  const r = await runCommand({ name: 'bolt-run-help', argv: ['bolt', 'run', '--help'], timeoutMs: 5_000 }, process.env);
  if (!r) return { found: false, missing: [...ISOLATION_FLAGS] };
  const help = `${decodeText(r.out)}\n${decodeText(r.err)}`;
  return { found: true, missing: ISOLATION_FLAGS.filter((f) => !new RegExp(`(^|[\\s,])${f}([\\s=,[]|$)`, 'm').test(help)) };
}
