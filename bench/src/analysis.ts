// bench/RESULTS.md is the generated report of one run followed by a hand-written "## Analysis"
// whose heading names the commit of the run it reads ("## Analysis (run at commit abc1234)").
// Pairing prose with figures of another run is refused: regenerating the report from a run of a
// different commit throws unless the stale analysis is dropped on purpose.

export const ANALYSIS_HEADING = '## Analysis';

export class AnalysisMismatchError extends Error {
  override readonly name = 'AnalysisMismatchError';
}

/** The "## Analysis" section of a RESULTS.md (to its end) and the commit its heading names. */
export function analysisOf(md: string): { text: string; commit: string | undefined } | undefined {
  const at = md.startsWith(ANALYSIS_HEADING) ? 0 : md.indexOf(`\n${ANALYSIS_HEADING}`);
  if (at < 0) return undefined;
  const text = md.slice(at === 0 ? 0 : at + 1).trimEnd();
  const heading = text.split('\n', 1)[0] ?? '';
  const commit = /run at commit ([0-9a-f]{7,40})\b/.exec(heading)?.[1];
  return { text, commit };
}

/** True when two abbreviations of a hash name the same commit. */
export function sameCommit(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return n >= 7 && a.slice(0, n) === b.slice(0, n);
}

/**
 * The RESULTS.md for `report` (a run of `runCommit`), keeping the analysis of `previous` only
 * if it names that commit. A mismatch (or an analysis that names no commit) throws, unless
 * `dropStale`: then the analysis is left out.
 */
export function composeResultsMd(report: string, previous: string, runCommit: string, options: { dropStale?: boolean } = {}): string {
  const a = analysisOf(previous);
  if (!a) return report;
  if (a.commit !== undefined && sameCommit(a.commit, runCommit)) return `${report.trimEnd()}\n\n${a.text}\n`;
  if (options.dropStale) return report;
  throw new AnalysisMismatchError(a.commit === undefined
    ? `the analysis in RESULTS.md names no commit (its heading must read "${ANALYSIS_HEADING} (run at commit <hash>)")`
    : `the analysis in RESULTS.md is for a run at commit ${a.commit}, these figures are from ${runCommit}: rewrite it, or drop it`);
}
