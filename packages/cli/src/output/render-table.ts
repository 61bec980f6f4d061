// kubectl-style tables: left-aligned columns separated by three spaces (kubectl's tabwriter
// padding), upper-case headers, `<none>` for missing values, no trailing spaces.

export const NONE = '<none>';

/** Renders `headers` and `rows` as aligned text lines (each ending in '\n'). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: { noHeaders?: boolean } = {}): string {
  const all = options.noHeaders ? rows : [headers, ...rows];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return all
    .map((row) => headers.map((_h, i) => {
      const cell = row[i] ?? '';
      return i === headers.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3);
    }).join('').trimEnd() + '\n')
    .join('');
}
