// An adapter this version does not have yet: it says so when asked to start, and starts nothing.
import { Failure } from '../appliance/failures.ts';
import type { PlatformAdapter } from '../appliance/plan.ts';
import type { Adapter } from './adapter.ts';

export function unbuilt(id: PlatformAdapter): Adapter {
  const refuse = () =>
    Promise.reject(new Failure('unsupported', `this version starts appliances on Linux only (this computer needs the ${id} way)`));
  return {
    id,
    reap: async () => [], // it never started anything to leave behind
    prefetch: () => undefined,
    prepare: refuse,
    start: refuse,
  };
}
