// The agent's modules form layers: a module (foo.c with foo.h) reaches others only through their
// headers, and no chain of #includes comes back to where it started. A circle would mean two
// modules each needing the other, so neither can be read, tested or changed alone.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const AGENT = path.resolve(import.meta.dirname, '../../native/agent');

type Graph = Map<string, Set<string>>;

const moduleOf = (file: string) => file.replace(/\.[ch]$/, '');

/** Module -> the modules whose headers it includes (quoted includes only: libc is not ours). */
function includeGraph(files: Record<string, string>): Graph {
  const graph: Graph = new Map();
  for (const [file, text] of Object.entries(files)) {
    const from = moduleOf(file);
    const to = graph.get(from) ?? new Set<string>();
    for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)\.h"/gm)) if (m[1] !== from) to.add(m[1]!);
    graph.set(from, to);
  }
  return graph;
}

/** One circle of the graph as a path that ends where it starts, or null when there is none. */
function findCycle(graph: Graph): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    trail.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/** Every module `from` reaches through its includes, itself left out. */
function reachable(graph: Graph, from: string): string[] {
  const seen = new Set<string>();
  const walk = (node: string) => {
    for (const next of graph.get(node) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      walk(next);
    }
  };
  walk(from);
  return [...seen].sort();
}

function agentSources(): Record<string, string> {
  const files = readdirSync(AGENT).filter((f) => /\.[ch]$/.test(f));
  return Object.fromEntries(files.map((f) => [f, readFileSync(path.join(AGENT, f), 'utf8')]));
}

describe("the agent's include graph", () => {
  const graph = includeGraph(agentSources());

  it('has no circle', () => {
    expect(findCycle(graph)).toBeNull();
  });

  it('replies are sent by a module that knows nothing of commands or streams', () => {
    expect(reachable(graph, 'reply')).toEqual(['agent', 'frame', 'json']);
  });

  it('the stream table knows no kind of stream: each kind brings its own handlers', () => {
    expect(reachable(graph, 'stream')).toEqual(['agent', 'frame']);
    for (const kind of ['proxy', 'upload']) expect(reachable(graph, kind)).toContain('stream');
  });

  it('the checker finds a circle through a header and a source file (it can fail)', () => {
    const circle = includeGraph({
      'a.c': '#include "a.h"\n#include "b.h"\n',
      'a.h': '',
      'b.c': '#include "b.h"\n#include "a.h"\n',
      'b.h': '#include <stdio.h>\n',
    });
    expect(findCycle(circle)).toEqual(['a', 'b', 'a']);
    expect(findCycle(includeGraph({ 'a.c': '#include "b.h"\n', 'b.h': '#include "c.h"\n', 'c.h': '' }))).toBeNull();
  });
});
