// `npm run bench:report -- RESULTS.json [--drop-stale-analysis] [--out bench/RESULTS.md]`:
// renders bench/RESULTS.md from a committed run's JSON, keeping the hand-written analysis only
// when its heading names that run's commit (see src/analysis.ts); refuses (exit 1) otherwise.
import { access, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { AnalysisMismatchError, composeResultsMd } from './src/analysis.js';
import { renderMarkdown } from './src/report.js';
import type { RunResults } from './src/results.js';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { 'drop-stale-analysis': { type: 'boolean', default: false }, out: { type: 'string', default: join('bench', 'RESULTS.md') } },
  });
  const json = positionals[0];
  if (!json || positionals.length > 1) {
    console.error('usage: npm run bench:report -- RESULTS.json [--drop-stale-analysis] [--out bench/RESULTS.md]');
    return 2;
  }
  const results = JSON.parse(await readFile(json, 'utf8')) as RunResults;
  const commit = results.meta.commit ?? results.meta.versions['eddy']?.split(' ')[0] ?? '';
  const svg = join(dirname(json), `${basename(json, '.json')}-model-load.svg`);
  const hasSvg = await access(svg).then(() => true, () => false);
  const out = values.out;
  const report = renderMarkdown(results, hasSvg ? relative(dirname(out), svg) : undefined, relative(dirname(out), json));
  const previous = await readFile(out, 'utf8').catch(() => '');
  try {
    await writeFile(out, composeResultsMd(report, previous, commit, { dropStale: values['drop-stale-analysis'] }));
  } catch (err) {
    if (!(err instanceof AnalysisMismatchError)) throw err;
    console.error(`${out} not written: ${err.message} (--drop-stale-analysis leaves it out)`);
    return 1;
  }
  console.error(`wrote ${out} from ${json} (commit ${commit})`);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  console.error(`bench:report failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exitCode = 1;
});
