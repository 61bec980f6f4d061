// `eddy ls URL`: lists a bucket through the UFS layer (s3://, oss://, file://), the same code
// path the master and workers use. Relative file:// URLs resolve against the current directory.
import type { Command } from 'commander';
import { createUfs } from '@eddy/ufs';
import { silentLogger } from '@eddy/core';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../cli-error.js';
import { renderTable } from '../output/render-table.js';
import { formatBytes } from '@eddy/core';

/** `--option k=v` (repeatable) → an options map; a value may itself contain `=`. */
export function collectOption(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--option must be KEY=VALUE, got "${text.includes('=') ? text : text.slice(0, 40)}"`);
  return { ...previous, [text.slice(0, eq)]: text.slice(eq + 1) };
}

export function registerLsCommand(program: Command, ctx: CommandContext): void {
  program
    .command('ls')
    .description('list the objects of a bucket URL (s3://bucket/prefix, oss://bucket/prefix, file://dir)')
    .argument('<url>', 'bucket URL')
    .option('--option <key=value>', 'UFS option, e.g. fs.s3.endpoint=http://127.0.0.1:9000 (repeatable)', collectOption, {})
    .option('-d, --directory', 'list only direct children (default: every object below the prefix)')
    .option('--bytes', 'print exact sizes in bytes')
    .action(async (url: string, opts: { option: Record<string, string>; directory?: boolean; bytes?: boolean }) => {
      const ufs = createUfs({ url, options: opts.option }, { logger: silentLogger() });
      try {
        const rows: string[][] = [];
        let total = 0;
        for await (const e of ufs.list('', { recursive: !opts.directory, signal: ctx.signal })) {
          total += e.size;
          rows.push([
            e.isDirectory ? 'DIR' : opts.bytes ? String(e.size) : formatBytes(e.size),
            e.isDirectory || !e.mtimeMs ? '-' : new Date(e.mtimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            e.isDirectory ? `${e.path.replace(/\/$/, '')}/` : e.path,
          ]);
        }
        rows.sort((a, b) => (a[2]! < b[2]! ? -1 : a[2]! > b[2]! ? 1 : 0));
        ctx.io.stdout.write(renderTable(['SIZE', 'MODIFIED', 'PATH'], rows));
        ctx.io.stdout.write(`${rows.length} objects, ${opts.bytes ? `${total} bytes` : formatBytes(total)}\n`);
      } finally {
        await ufs.close();
      }
    });
}
