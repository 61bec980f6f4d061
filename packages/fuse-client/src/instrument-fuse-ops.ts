// Counts and times every FUSE operation (eddy_fuse_operations_total, ..._duration_seconds) by
// wrapping each handler's callback: the time is from the kernel's request to our answer.
import type { FuseOps } from 'fuse-native';

/** Starts timing `op`; the result is called with whether it succeeded. */
export type StartOp = (op: string) => (ok: boolean) => void;

export function instrumentFuseOps(ops: FuseOps, start: StartOp): FuseOps {
  const out: Record<string, unknown> = {};
  for (const [op, handler] of Object.entries(ops) as Array<[string, unknown]>) {
    if (typeof handler !== 'function' || op === 'init') {
      out[op] = handler;
      continue;
    }
    const fn = handler as (...args: unknown[]) => unknown;
    out[op] = (...args: unknown[]) => {
      const done = start(op);
      const cb = args[args.length - 1] as (...r: unknown[]) => void;
      // read answers a byte count (>= 0) or a negative errno; the others 0 or an errno.
      args[args.length - 1] = (code: unknown, ...rest: unknown[]) => {
        done(typeof code === 'number' && (op === 'read' ? code >= 0 : code === 0));
        cb(code, ...rest);
      };
      return fn(...args);
    };
  }
  return out as FuseOps;
}
