// A guest's end after its channel closed: the agent gets `graceMs` to wipe and exit by itself,
// then its process is killed; settles once it has exited. Shared by the adapters whose guest is one process.
export async function endWithin(exited: Promise<unknown>, graceMs: number, kill: () => void): Promise<void> {
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'late') kill();
  await exited;
}
