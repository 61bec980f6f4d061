// Turns the Runtime the master returns at registration (a typed RuntimeSpec: tiers with quotas in
// bytes, block size) into validated tier configs. The master is another process, possibly another
// version, so the message is checked here, once, where it enters the worker.
import { DEFAULT_BLOCK_SIZE, ValidationError } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { MEDIUM_TYPES, type MediumType } from '@eddy/manifest';
import { validateTiers, type TierConfig } from '../store/tier-config.js';

export interface RuntimeConfig {
  tiers: TierConfig[];
  blockSize: number;
}

/** Returns undefined when the master does not know the runtime yet (the field is unset). */
export function runtimeConfigFromSpec(spec: proto.RuntimeSpec__Output | null | undefined): RuntimeConfig | undefined {
  if (!spec) return undefined;
  const tiers = spec.tiers.map((t, i): TierConfig => {
    const medium = t.medium.toUpperCase() as MediumType;
    if (!MEDIUM_TYPES.includes(medium)) {
      throw new ValidationError(`runtime.tiers[${i}].medium must be one of ${MEDIUM_TYPES.join(', ')}, got ${JSON.stringify(t.medium)}`, `runtime.tiers[${i}].medium`);
    }
    return { medium, path: t.path, quotaBytes: t.quotaBytes, high: t.high, low: t.low };
  });
  tiers.sort((a, b) => MEDIUM_TYPES.indexOf(a.medium) - MEDIUM_TYPES.indexOf(b.medium));
  return { tiers: tiers.length > 0 ? validateTiers(tiers, 'runtime.tiers') : [], blockSize: spec.blockSize || DEFAULT_BLOCK_SIZE };
}
