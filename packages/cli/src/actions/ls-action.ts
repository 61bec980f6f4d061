// `eddy ls URL`: the listing itself (loaded only when the command runs: the UFS drivers are heavy).
import { formatBytes, silentLogger } from '@eddy/core';
import { createUfs } from '@eddy/ufs';
import type { CommandContext } from '../command-context.js';
import type { LsFlags } from '../commands/ls-command.js';
import { renderTable } from '../output/render-table.js';
import { resolveLsOptions } from './ls-options.js';

export async function runLs(ctx: CommandContext, url: string, flags: LsFlags): Promise<void> {
  const options = await resolveLsOptions(ctx.io, flags);
  const ufs = createUfs({ url, options }, { logger: silentLogger() });
  try {
    const rows: string[][] = [];
    let total = 0;
    for await (const e of ufs.list('', { recursive: !flags.directory, signal: ctx.signal })) {
      total += e.size;
      rows.push([
        e.isDirectory ? 'DIR' : flags.bytes ? String(e.size) : formatBytes(e.size),
        e.isDirectory || !e.mtimeMs ? '-' : new Date(e.mtimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        e.isDirectory ? `${e.path.replace(/\/$/, '')}/` : e.path,
      ]);
    }
    rows.sort((a, b) => (a[2]! < b[2]! ? -1 : a[2]! > b[2]! ? 1 : 0));
    ctx.io.stdout.write(renderTable(['SIZE', 'MODIFIED', 'PATH'], rows));
    ctx.io.stdout.write(`${rows.length} objects, ${flags.bytes ? `${total} bytes` : formatBytes(total)}\n`);
  } finally {
    await ufs.close();
  }
}
