// The UFS options of `eddy ls`: --option flags (never a credential: argv is readable by every user
// of the host through ps and /proc), then EDDY_UFS_OPTIONS, then --option-file (or
// $EDDY_UFS_OPTION_FILE), which may carry credentials. Later sources override earlier ones.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isCredentialOption } from '@eddy/manifest';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../usage-error.js';

/** KEY=VALUE lines (blank lines and `#` comments skipped); `where` names the source in errors, never a value. */
export function parseOptionLines(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new UsageError(`${where}, line ${i + 1}: expected KEY=VALUE (e.g. fs.s3.accessKeySecret=...)`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return out;
}

export async function resolveLsOptions(io: CliIo, flags: { option: Record<string, string>; optionFile?: string }): Promise<Record<string, string>> {
  for (const key of Object.keys(flags.option)) {
    if (isCredentialOption(key)) {
      throw new UsageError(`--option ${key}: a credential is not taken from the command line, where every user of this host can read it; `
        + 'put it in a file of KEY=VALUE lines passed with --option-file (or $EDDY_UFS_OPTION_FILE), or in $EDDY_UFS_OPTIONS');
    }
  }
  const fromEnv = io.env['EDDY_UFS_OPTIONS'] ? parseOptionLines(io.env['EDDY_UFS_OPTIONS'], 'EDDY_UFS_OPTIONS') : {};
  const file = flags.optionFile ?? io.env['EDDY_UFS_OPTION_FILE'];
  let fromFile: Record<string, string> = {};
  if (file) {
    const path = resolve(io.cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new UsageError(`--option-file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    fromFile = parseOptionLines(text, `--option-file ${path}`);
  }
  return { ...flags.option, ...fromEnv, ...fromFile };
}
