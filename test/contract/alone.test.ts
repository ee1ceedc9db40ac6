// Each recorded artifact as a bundle of its own: the host report must carry the facts that
// artifact shows, whatever else is missing (a partial support bundle).
import { describe, expect, it } from 'vitest';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { artifacts } from '../support/artifacts.ts';
import { aloneCases } from '../support/alone.ts';

describe.each(aloneCases())('$name alone', (c) => {
  const report = analyzeHost(artifacts(c.spec));
  it.each(c.facts)('$name', (f) => {
    expect(f.actual(report)).toEqual(f.expected);
  });
});
