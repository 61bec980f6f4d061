// The progress display of `eddy get dataload NAME -w`: a redrawn bar with bytes, rate and ETA on
// a terminal, one plain line per change otherwise (logs, pipes, CI).
import { formatBytes, formatPercent, formatAge } from '@eddy/core';

export interface LoadProgress {
  name: string;
  phase: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/** Bytes per second over a sliding window of recent samples. */
export class RateMeter {
  readonly #samples: { at: number; bytes: number }[] = [];
  readonly #windowMs: number;

  constructor(windowMs = 5_000) {
    this.#windowMs = windowMs;
  }

  add(at: number, bytes: number): void {
    const samples = this.#samples;
    const last = samples[samples.length - 1];
    // A new run restarts the byte count: the old samples say nothing about it.
    if (last && bytes < last.bytes) samples.length = 0;
    samples.push({ at, bytes });
    while (samples.length > 2 && at - samples[0]!.at > this.#windowMs) samples.shift();
  }

  /** undefined until two samples at least 200 ms apart exist. */
  rate(): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.at - first.at < 200) return undefined;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}

function parts(p: LoadProgress, rate: number | undefined): string[] {
  const out = [
    `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`,
    `${p.filesDone}/${p.filesTotal} files`,
  ];
  if (p.phase === 'Executing' && rate !== undefined) {
    out.push(`${formatBytes(rate)}/s`);
    const left = p.bytesTotal - p.bytesDone;
    out.push(rate > 0 ? `ETA ${formatAge((left / rate) * 1000)}` : 'ETA -');
  }
  return out;
}

/** One line for terminals: `name Phase [#####-----] 50.0% 1.00MiB/2.00MiB 1/2 files 3.00MiB/s ETA 1s`. */
export function renderProgressBar(p: LoadProgress, rate: number | undefined, width = 80): string {
  const pct = formatPercent(p.bytesDone, p.bytesTotal);
  const tail = ` ${pct} ${parts(p, rate).join(' ')}`;
  const head = `${p.name} ${p.phase} `;
  const barWidth = Math.max(10, Math.min(40, width - head.length - tail.length - 3));
  const ratio = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.phase === 'Complete' ? 1 : 0;
  const filled = Math.round(ratio * barWidth);
  return `${head}[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
}

/** One line for logs: `name Phase 50.0% 1.00MiB/2.00MiB 1/2 files 3.00MiB/s ETA 1s`. */
export function renderProgressLine(p: LoadProgress, rate: number | undefined): string {
  return [p.name, p.phase, formatPercent(p.bytesDone, p.bytesTotal), ...parts(p, rate)].join(' ');
}
