// The status page's snapshot (@eddy/status-page StatusSnapshot) from the master's state: datasets
// with the seed's columns and the hit ratios, workers and their tiers, DataLoads with progress.
import type { DataLoadRow, DatasetRow, StatusSnapshot, WorkerRow } from '@eddy/status-page';
import type { DataLoadManifest, DatasetManifest } from '@eddy/manifest';
import type { MasterStateView } from './master-metrics-source.js';

const ms = (iso: string | undefined): number | null => (iso ? Date.parse(iso) : null);

export function statusSnapshot(m: MasterStateView, now = Date.now()): StatusSnapshot {
  const datasets: DatasetRow[] = m.manifests.list<DatasetManifest>('Dataset').map((s) => {
    const st = m.datasetStatus(s.manifest.metadata.name);
    const c = st.cacheStates;
    const anyRead = c.bytesReadLocal + c.bytesReadRemote + c.bytesReadUfs > 0;
    return {
      name: s.manifest.metadata.name, phase: st.phase, ufsTotalBytes: st.ufsTotalBytes, cachedBytes: c.cachedBytes,
      cacheCapacityBytes: c.cacheCapacityBytes, files: st.fileNum, liveWorkers: st.workers.live, desiredWorkers: st.workers.desired,
      cacheHitRatio: anyRead ? c.cacheHitRatio : null, localHitRatio: anyRead ? c.localHitRatio : null,
      remoteHitRatio: anyRead ? c.remoteHitRatio : null, hitRatioWindowSeconds: c.hitRatioWindowSeconds,
      created: new Date(s.createdMs).toISOString(),
    };
  });
  const workers: WorkerRow[] = m.registry.all().map((w) => ({
    id: w.id, runtime: w.runtime, live: w.live, address: w.address.dataAddress || w.address.grpcAddress, blocks: w.blocks.size,
    lastHeartbeatMs: w.lastHeartbeatMs, tiers: w.tiers.map((t) => ({ medium: t.medium, usedBytes: t.usedBytes, quotaBytes: t.quotaBytes })),
  }));
  const dataloads: DataLoadRow[] = m.manifests.list<DataLoadManifest>('DataLoad').map(({ manifest }) => {
    const st = m.dataLoadStatus(manifest.metadata.name);
    const run = st?.runs.at(-1);
    const p = st?.progress;
    return {
      name: manifest.metadata.name, dataset: manifest.spec.dataset.name, phase: st?.phase ?? 'Pending', policy: manifest.spec.policy,
      filesDone: p?.filesDone ?? 0, filesTotal: p?.filesTotal ?? 0, bytesDone: p?.bytesDone ?? 0, bytesTotal: p?.bytesTotal ?? 0,
      runStartMs: ms(run?.start), runEndMs: ms(run?.end), lastSuccessfulTime: st?.lastSuccessfulTime ?? null,
    };
  });
  return { generatedAtMs: now, datasets, workers, dataloads };
}
