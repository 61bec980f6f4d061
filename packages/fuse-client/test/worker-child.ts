// A worker in its own process (so a test can kill -9 it): `node worker-child.js '<json options>'`.
// Prints `ready <dataAddress>` once registered; SIGTERM closes it.
const WORKER_PKG: string = '@eddy/worker';

interface WorkerModule {
  startWorker(o: Record<string, unknown>): Promise<{ dataAddress: string; close(): Promise<void> }>;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const { startWorker } = (await import(WORKER_PKG)) as WorkerModule;
const worker = await startWorker(options);
process.stdout.write(`ready ${worker.dataAddress}\n`);
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
