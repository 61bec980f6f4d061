// Which timed calls a V8 garbage collection overlapped: the profile behind the location lookups'
// p99 (issue 17 item 7). perf_hooks reports every GC of the main isolate with its start and
// duration on performance.now()'s clock, so a sample [t0, t1] overlapped a GC when their intervals
// meet. Minor GCs (scavenges) run on the main thread and stop it; a major GC's marking runs mostly
// on V8's helper threads, which process.cpuUsage() charges to whichever call was being timed.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface GcSpan { start: number; end: number; major: boolean }

/** Records the main isolate's GCs from now until `stop()`, which resolves them (after the observer's last delivery). */
export function recordGcs(): { stop(): Promise<GcSpan[]> } {
  const spans: GcSpan[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      spans.push({ start: e.startTime, end: e.startTime + e.duration, major: e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop() {
      // Entries are delivered asynchronously: let the last ones in before disconnecting.
      await new Promise((r) => setImmediate(r));
      observer.disconnect();
      return spans.sort((a, b) => a.start - b.start);
    },
  };
}

/** For each [start, end] sample, whether a GC span met it (both lists sorted by start). */
export function overlapped(samples: ReadonlyArray<readonly [number, number]>, gcs: readonly GcSpan[]): boolean[] {
  let j = 0;
  return samples.map(([s, e]) => {
    while (j < gcs.length && gcs[j]!.end < s) j++;
    return j < gcs.length && gcs[j]!.start <= e;
  });
}
