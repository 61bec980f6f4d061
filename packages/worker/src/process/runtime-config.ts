// Turns the Runtime manifest the master returns at registration (JSON) into tier configs and a
// block size. Quotas may arrive as byte counts (parsed manifests) or quantity strings (raw ones).
import { parseQuantity } from '@eddy/manifest';
import { ValidationError, DEFAULT_BLOCK_SIZE } from '@eddy/core';
import { DEFAULT_HIGH, DEFAULT_LOW, TIER_MEDIA, type TierConfig, type TierMedium } from '../store/tier-config.js';

export interface RuntimeConfig {
  tiers: TierConfig[];
  blockSize: number;
}

function ratio(v: unknown, dflt: number, field: string): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ValidationError(`${field} must be a number, got ${JSON.stringify(v)}`, field);
  return n;
}

/** Returns undefined for an empty document (the master does not know the runtime yet). */
export function parseRuntimeJson(json: string): RuntimeConfig | undefined {
  if (!json) return undefined;
  let doc: unknown;
  try { doc = JSON.parse(json); } catch { throw new ValidationError('runtime_json from the master is not JSON', 'runtime_json'); }
  const spec = (doc as { spec?: Record<string, unknown> } | null)?.spec ?? {};
  const levels = (spec['tieredstore'] as { levels?: unknown } | undefined)?.levels;
  const tiers: TierConfig[] = [];
  if (Array.isArray(levels)) {
    levels.forEach((l: Record<string, unknown>, i) => {
      const f = `spec.tieredstore.levels[${i}]`;
      const medium = String(l['mediumtype'] ?? l['medium'] ?? '').toUpperCase() as TierMedium;
      if (!TIER_MEDIA.includes(medium)) throw new ValidationError(`${f}.mediumtype must be one of ${TIER_MEDIA.join(', ')}`, `${f}.mediumtype`);
      const path = String(l['path'] ?? '').split(',')[0]!.trim();
      tiers.push({
        medium, path,
        quotaBytes: parseQuantity(l['quota'] ?? l['quotaBytes'], `${f}.quota`),
        high: ratio(l['high'], DEFAULT_HIGH, `${f}.high`),
        low: ratio(l['low'], DEFAULT_LOW, `${f}.low`),
      });
    });
  }
  const order = (m: TierMedium): number => TIER_MEDIA.indexOf(m);
  tiers.sort((a, b) => order(a.medium) - order(b.medium));
  const bs = spec['blockSize'];
  const blockSize = bs === undefined || bs === null || bs === '' ? DEFAULT_BLOCK_SIZE : parseQuantity(bs, 'spec.blockSize');
  return { tiers, blockSize };
}
