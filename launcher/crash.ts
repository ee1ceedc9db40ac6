// An error nothing caught must not leave an appliance running, nor a stack trace on the screen:
// what the front ends registered runs first (the session is wiped), then ai-way ends in one line.

type Cleanup = () => Promise<unknown>;
const cleanups = new Set<Cleanup>();

/** Registers what to do before ai-way ends on an uncaught error; returns its removal. */
export function onCrash(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** From now on an uncaught exception or unhandled rejection runs the cleanups, then `end` with it. */
export function catchCrashes(end: (error: unknown) => void): void {
  let crashed = false;
  const crash = (error: unknown) => {
    if (crashed) return; // a second error while cleaning up changes nothing
    crashed = true;
    void Promise.allSettled([...cleanups].map(async (c) => c())).then(() => end(error));
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
