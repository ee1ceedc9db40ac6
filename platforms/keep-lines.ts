// What a guest's process writes, kept as its last lines for error screens. Shared by the adapters.
import type { Readable } from 'node:stream';

/** Lines a stream writes, kept to the last `keep`. */
export function keepLines(stream: Readable | null, into: string[], keep: number): void {
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (text: string) => {
    const lines = (partial + text).split(/\r?\n/);
    partial = lines.pop()!;
    into.push(...lines.filter((l) => l.trim()));
    if (into.length > keep) into.splice(0, into.length - keep);
  });
  stream?.on('end', () => {
    if (partial.trim()) into.push(partial);
  });
}
