// The metrics of one process: its Registry and the metric sets of the components it runs, created
// on first use. `eddy master`, `eddy worker` and `eddy mount` each use one set; `eddy up` runs a
// master, workers and a mount in one process and shares one ProcessMetrics (one /metrics) among
// them, so a set is never defined twice on a registry.
import type { Registry } from 'prom-client';
import { ClientMetrics } from './client-metrics.js';
import { DatasetLabels } from './dataset-labels.js';
import { MasterMetrics } from './master-metrics.js';
import { createProcessRegistry } from './process-registry.js';
import { WorkerMetrics } from './worker-metrics.js';

export class ProcessMetrics {
  readonly registry: Registry;
  /** One bound on dataset labels for the whole process. */
  readonly datasets = new DatasetLabels();
  #client: ClientMetrics | undefined;
  #worker: WorkerMetrics | undefined;
  #master: MasterMetrics | undefined;

  constructor(registry: Registry = createProcessRegistry()) {
    this.registry = registry;
  }

  get client(): ClientMetrics {
    this.#client ??= new ClientMetrics(this.registry, this.datasets);
    return this.#client;
  }

  get worker(): WorkerMetrics {
    this.#worker ??= new WorkerMetrics(this.registry, this.datasets);
    return this.#worker;
  }

  get master(): MasterMetrics {
    this.#master ??= new MasterMetrics(this.registry, this.datasets);
    return this.#master;
  }
}
