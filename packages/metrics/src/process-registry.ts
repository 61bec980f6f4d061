// One prom-client Registry per process (never prom-client's global one, so a test running a
// master, workers and a mount in one process keeps their metrics apart), with Node's process
// metrics (CPU, memory, event loop lag, GC, handles) under their standard names.
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
