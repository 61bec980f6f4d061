// The CLI's defaults in one table (documented in the cli README). This module imports nothing,
// so that registering commands (and `eddy --help`) stays cheap.

export const CLI_DEFAULTS = {
  /** Where client commands look for the master without --master/EDDY_MASTER: a local master on its default port. */
  master: '127.0.0.1:19998',
  /** Deadline of one control-plane call from a client command. */
  rpcTimeoutMs: 15_000,
  /** `get -w`: how often a table is re-read. */
  watchIntervalMs: 1_000,
  /** `get dataload NAME -w` / `load --wait`: how often the progress bar is redrawn. */
  progressIntervalMs: 500,
  /** `eddy up`: how long the Runtime's workers have to register before the DataLoads go in. */
  upWorkersLiveTimeoutMs: 30_000,
  /** `eddy up`: deadline of its Apply calls (a new dataset's first listing may take a while). */
  upApplyTimeoutMs: 30_000,
  /** `eddy mount --readahead`: the largest window a user may ask for, in MiB. */
  maxReadaheadMiB: 1024,
} as const;

/** The environment variables the connection flags fall back to. */
export const CLI_ENV = {
  master: 'EDDY_MASTER',
  tokenFile: 'EDDY_TOKEN_FILE',
  tlsCa: 'EDDY_TLS_CA',
} as const;

/** Client commands each take `--tls-ca` (a program-level option would swallow the one of `eddy mount`). */
export const TLS_CA_FLAG = '--tls-ca <file>';
export const TLS_CA_HELP = `CA bundle (PEM) to verify a master serving TLS (env ${CLI_ENV.tlsCa})`;

/** master, worker and mount each take `--metrics-token-file` beside `--metrics-listen`. */
export const METRICS_TOKEN_FLAG = '--metrics-token-file <file>';
export const METRICS_TOKEN_HELP = 'bearer token /metrics asks for off loopback, e.g. Prometheus\' scrape token (default: the cluster token)';
