// Bringing tiers up at start: directories checked or created (tier-dirs.ts), quotas capped at
// their filesystem, and the block files already there indexed again (the index is soft state). Temp files of writes a crash
// interrupted are deleted; when a crash mid-demotion left two copies, the faster tier's is kept.
import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@eddy/core';
import { BLOCK_FILE_RE, BlockFile, TEMP_PREFIX, type TierState } from './block-file.js';
import type { BlockIndex } from './block-index.js';
import type { TierConfig } from './tier-config.js';
import { secureTierRoot } from './tier-dirs.js';

/** A tier ready for use: its configuration and the real path of the directory it keeps its blocks under. */
export interface PreparedTier { cfg: TierConfig; root: string }

interface FoundFile { key: string; crc: number; size: number; mtimeMs: number }

/**
 * Checks or creates the tier directories (a private subdirectory in a shared one such as
 * /dev/shm). A quota larger than the tier's filesystem would let writes hit ENOSPC long before
 * the watermarks evict anything: it is capped at the filesystem's size so eviction stays in charge.
 */
export async function prepareTiers(tiers: readonly TierConfig[], runtime: string, logger: Logger): Promise<PreparedTier[]> {
  const out: PreparedTier[] = [];
  for (const t of tiers) {
    const root = await secureTierRoot(t.path, t.medium, runtime, logger);
    const fs = await statfs(root);
    const fsBytes = Number(fs.blocks) * Number(fs.bsize);
    if (fsBytes > 0 && t.quotaBytes > fsBytes) {
      const fields = { tier: t.medium, path: t.path, quotaBytes: t.quotaBytes, filesystemBytes: fsBytes };
      logger.warn(fields, 'tier quota exceeds its filesystem; capped at the filesystem size');
      out.push({ cfg: { ...t, quotaBytes: fsBytes }, root });
    } else {
      out.push({ cfg: t, root });
    }
  }
  return out;
}

/** Block files of one tier directory, oldest first; temp files are deleted on the way. */
async function findBlockFiles(dir: string): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const shard of await readdir(dir)) {
    const shardPath = join(dir, shard);
    let names: string[];
    try { names = await readdir(shardPath); } catch { continue; }
    for (const name of names) {
      const p = join(shardPath, name);
      if (name.startsWith(TEMP_PREFIX)) {
        await rm(p, { force: true });
        continue;
      }
      const m = BLOCK_FILE_RE.exec(name);
      if (!m || m[1]!.slice(0, 2) !== shard) continue;
      const st = await stat(p).catch(() => undefined);
      if (!st?.isFile()) continue;
      found.push({ key: m[1]!, crc: parseInt(m[2]!, 16), size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return found.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

/** Indexes the block files of every tier, fastest first (LRU order by file time). */
export async function rescanTiers(index: BlockIndex, logger: Logger): Promise<void> {
  for (const t of index.tiers) {
    await mkdir(t.dir, { recursive: true, mode: 0o700 });
    for (const b of await findBlockFiles(t.dir)) await indexFound(index, t, b);
    logger.info({ tier: t.cfg.medium, blocks: t.lru.size, usedBytes: t.used }, 'tier rescanned');
  }
}

async function indexFound(index: BlockIndex, t: TierState, b: FoundFile): Promise<void> {
  // Not verified yet: the checksum is checked at the first use.
  const f = new BlockFile(b.key, t, b.size, b.crc, false);
  if (index.has(b.key)) {
    // A crash mid-demotion left two copies: the faster tier's is kept.
    await rm(f.path, { force: true });
    return;
  }
  t.used += b.size;
  index.setCurrent(f, true);
}
