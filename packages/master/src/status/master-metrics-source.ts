// What the master's Prometheus gauges read at scrape time: per dataset its status numbers and its
// runtime's workers, per DataLoad the run executing now. Read from the same state as `eddy get`.
import type { DataLoadFacts, DatasetFacts, MasterMetricsSource } from '@eddy/metrics';
import type { DataLoadManifest, DatasetManifest } from '@eddy/manifest';
import type { DataLoadStatus } from '../dataload/dataload-status.js';
import type { ManifestStore } from '../manifests/manifest-store.js';
import type { WorkerRegistry } from '../placement/worker-registry.js';
import type { DatasetStatus } from './dataset-status.js';

export interface MasterStateView {
  manifests: ManifestStore;
  registry: WorkerRegistry;
  datasetStatus(name: string): DatasetStatus;
  dataLoadStatus(name: string): DataLoadStatus | undefined;
}

export function masterMetricsSource(m: MasterStateView, now: () => number = Date.now): MasterMetricsSource {
  return {
    datasets(): DatasetFacts[] {
      return m.manifests.list<DatasetManifest>('Dataset').map(({ manifest }) => {
        const name = manifest.metadata.name;
        const st = m.datasetStatus(name);
        const workers = m.registry.all(name);
        const live = workers.filter((w) => w.live);
        const oldest = live.reduce((a, w) => Math.min(a, w.lastHeartbeatMs), Infinity);
        return {
          dataset: name, ufsBytes: st.ufsTotalBytes, cachedBytes: st.cacheStates.cachedBytes,
          capacityBytes: st.cacheStates.cacheCapacityBytes, files: st.fileNum,
          liveWorkers: live.length, lostWorkers: workers.length - live.length,
          maxHeartbeatAgeSeconds: live.length > 0 ? Math.max(0, now() - oldest) / 1000 : 0,
          onFallback: st.source === 'fallback' ? 1 : 0,
        };
      });
    },
    dataloads(): DataLoadFacts[] {
      return m.manifests.list<DataLoadManifest>('DataLoad').map(({ manifest }) => {
        const st = m.dataLoadStatus(manifest.metadata.name);
        const running = st?.phase === 'Executing';
        return {
          dataset: manifest.spec.dataset.name, running: running ? 1 : 0,
          doneBytes: running ? st.progress.bytesDone : 0, totalBytes: running ? st.progress.bytesTotal : 0,
        };
      });
    },
  };
}
