// Command-line options of `npm run bench`, validated once here; everything downstream gets the
// resolved BenchOptions with sizes in bytes.
import { parseArgs } from 'node:util';

export const ALL_WORKLOADS = ['model-load', 'big-file', 'random-read', 'safetensors', 'shared-file', 'page-cache', 'small-files', 'preload', 'update',
  'wan'] as const;
export type Workload = (typeof ALL_WORKLOADS)[number];
export const ALL_TARGETS = ['direct', 'ceiling', 's3fs', 'rclone', 'eddy', 'eddy-ssd', 's3-passthrough'] as const;
// s3-passthrough (a floor for the cold and first-read goals) only when asked: it is meant for model-load and small-files.
const DEFAULT_TARGETS = ALL_TARGETS.filter((t) => t !== 's3-passthrough');
export const PEER_CACHES = ['tmpfs', 'disk'] as const;
export type PeerCache = (typeof PEER_CACHES)[number];
export type TargetName = (typeof ALL_TARGETS)[number];

export interface BenchOptions {
  quick: boolean;
  workloads: Workload[];
  targets: TargetName[];
  /** Size of each of the 4 model shards (also the big file and the fio file). */
  modelSize: number;
  modelFiles: number;
  smallFiles: number;
  smallDirs: number;
  smallSize: number;
  /** Seconds per fio job. */
  fioRuntime: number;
  /** Passes per figure: each figure is their median, with min and max beside it (≥ 3 unless asked). */
  passes: number;
  /** Where s3fs and rclone keep their caches: tmpfs (/dev/shm, as Eddy's MEM tier) or disk (the work dir). */
  peerCache: PeerCache;
  /** How long a reader waits for an update to become visible. */
  updateTimeoutMs: number;
  /** Size of each model shard in the emulated-WAN scenario. */
  wanModelSize: number;
  outDir: string;
  /** Base name of the result files in outDir (default <date>-<host>). */
  name: string | undefined;
  note: string;
  argv: string[];
}

export const USAGE = `usage: npm run bench -- [--quick] [--workloads a,b,c] [--targets a,b,c] [--size 1G] [--files 10000] [--wan-size 1G]
    [--fio-runtime 20] [--passes 3] [--peer-cache tmpfs|disk] [--out bench/results] [--name 2026-12-01-x] [--note text]
  workloads: ${ALL_WORKLOADS.join(', ')}
  targets:   ${ALL_TARGETS.join(', ')} (eddy-ssd: the same cluster with an SSD tier on the work dir's disk;
             s3-passthrough: a floor, no cache and no Eddy code, run in model-load and small-files only; not in the default)`;

/** Parses 64M, 1G, 512Ki, 1024 into bytes (binary units). */
export function parseSize(text: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?[bB]?)?$/.exec(text.trim());
  if (!m) throw new Error(`${field} must be a size like 64M or 1G, got ${JSON.stringify(text)}`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  const bytes = Math.round(Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] ?? 1));
  if (bytes <= 0) throw new Error(`${field} must be positive`);
  return bytes;
}

function parseList<T extends string>(text: string, allowed: readonly T[], field: string): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`${field}: unknown ${JSON.stringify(item)} (known: ${allowed.join(', ')})`);
  if (items.length === 0) throw new Error(`${field} must name at least one of ${allowed.join(', ')}`);
  return items as T[];
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      workloads: { type: 'string' },
      targets: { type: 'string' },
      size: { type: 'string' },
      files: { type: 'string' },
      'wan-size': { type: 'string' },
      'fio-runtime': { type: 'string' },
      passes: { type: 'string' },
      'peer-cache': { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const modelSize = values.size ? parseSize(values.size, '--size') : quick ? 256 * 1024 ** 2 : 1024 ** 3;
  const smallFiles = values.files ? Number(values.files) : quick ? 1000 : 10_000;
  if (!Number.isInteger(smallFiles) || smallFiles < 1) throw new Error('--files must be a positive integer');
  const fioRuntime = values['fio-runtime'] ? Number(values['fio-runtime']) : quick ? 5 : 20;
  if (!(fioRuntime > 0)) throw new Error('--fio-runtime must be a positive number of seconds');
  const passes = values.passes ? Number(values.passes) : 3;
  if (!Number.isInteger(passes) || passes < 1) throw new Error('--passes must be a positive integer');
  const peerCache = values['peer-cache'] ?? 'tmpfs';
  if (!PEER_CACHES.includes(peerCache as PeerCache)) throw new Error(`--peer-cache must be one of ${PEER_CACHES.join(', ')}`);
  if (values.name !== undefined && !/^[\w.-]+$/.test(values.name)) throw new Error('--name must be a file name (letters, digits, . _ -)');
  return {
    quick,
    workloads: values.workloads ? parseList(values.workloads, ALL_WORKLOADS, '--workloads') : [...ALL_WORKLOADS],
    targets: values.targets ? parseList(values.targets, ALL_TARGETS, '--targets') : [...DEFAULT_TARGETS],
    modelSize,
    modelFiles: 4,
    smallFiles,
    smallDirs: Math.min(100, smallFiles),
    smallSize: 64 * 1024,
    fioRuntime,
    passes,
    peerCache: peerCache as PeerCache,
    updateTimeoutMs: quick ? 45_000 : 90_000,
    wanModelSize: values['wan-size'] ? parseSize(values['wan-size'], '--wan-size') : modelSize,
    outDir: values.out ?? 'bench/results',
    name: values.name,
    note: values.note ?? '',
    argv,
  };
}
