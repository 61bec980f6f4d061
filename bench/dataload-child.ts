// Runs one DataLoad with src/run-dataload.ts (apply, then in-process polls) from inside a network
// namespace: the region-tree bench starts it under `nsenter --net` for a region whose master
// listens on the namespace's own loopback, which the bench process cannot reach. One process per
// DataLoad, not one per poll. Options as JSON on stdin; the outcome as JSON on stdout (its only output).
//   node bench/lib/dataload-child.js < options.json
import { text } from 'node:stream/consumers';
import { runDataLoad, type RunDataLoadOptions } from './src/run-dataload.js';

async function main(): Promise<void> {
  const o = JSON.parse(await text(process.stdin)) as RunDataLoadOptions;
  const outcome = await runDataLoad(o);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
