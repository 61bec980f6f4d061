// One error for a whole manifest file: every problem found, each naming its document and field,
// so `eddy apply` can print them all at once. Messages never carry Secret values.
import { ValidationError } from '@eddy/core';

export interface ManifestIssue {
  /** 1-based position of the document in the file (or in the list given to validateManifestSet). */
  document: number;
  /** `Kind name` of the document when known, e.g. `JindoRuntime demo`. */
  label?: string;
  /** Field path inside the document, e.g. `spec.tieredstore.levels[0].quota` ('' for the whole document). */
  path: string;
  /** What is wrong and how to fix it. */
  problem: string;
}

const MAX_LINES = 20;

export function formatIssue(issue: ManifestIssue): string {
  const where = `document ${issue.document}${issue.label ? ` (${issue.label})` : ''}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.problem}` : `${where}: ${issue.problem}`;
}

/** A ValidationError carrying every issue; `message` lists them one per line. */
export class ManifestError extends ValidationError {
  readonly issues: readonly ManifestIssue[];
  constructor(issues: readonly ManifestIssue[]) {
    const first = issues[0];
    const lines = issues.slice(0, MAX_LINES).map(formatIssue);
    if (issues.length > MAX_LINES) lines.push(`… and ${issues.length - MAX_LINES} more problems`);
    super(lines.join('\n'), first ? `documents[${first.document - 1}]${first.path ? `.${first.path}` : ''}` : undefined);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** Render a path like ['spec', 'mounts', 0, 'options', 'fs.oss.endpoint'] as spec.mounts[0].options["fs.oss.endpoint"]. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)}]`;
    }
  }
  return out;
}
