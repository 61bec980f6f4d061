// `eddy ls URL`: lists a bucket through the UFS layer (s3://, oss://, file://), the same code
// path the master and workers use. Relative file:// URLs resolve against the current directory.
// Credentials come from --option-file or the environment (EDDY_UFS_OPTIONS), never from argv.
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../usage-error.js';

export interface LsFlags { option: Record<string, string>; optionFile?: string; directory?: boolean; bytes?: boolean }

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
    .option('--option <key=value>', 'UFS option, e.g. fs.s3.endpoint=http://127.0.0.1:9000 (repeatable; never a credential)', collectOption, {})
    .option('--option-file <file>', 'UFS options as KEY=VALUE lines, credentials included (default: $EDDY_UFS_OPTION_FILE)')
    .option('-d, --directory', 'list only direct children (default: every object below the prefix)')
    .option('--bytes', 'print exact sizes in bytes')
    .action(async (url: string, flags: LsFlags) => {
      await (await import('../actions/ls-action.js')).runLs(ctx, url, flags);
    });
}
