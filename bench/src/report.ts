// Renders a run's results: the JSON as is, RESULTS.md (machine, versions, command, goals, one
// table per workload with Eddy/peer and Eddy/ceiling ratios) and an SVG bar chart of model load.
import { speedup, type Goal, type Metric, type RunResults, type WorkloadResult } from './results.js';

const ORDER = ['direct', 'direct-ranged', 's3-passthrough', 'ceiling', 's3fs', 'rclone', 'eddy', 'eddy-ssd'];

function columns(w: WorkloadResult): string[] {
  const seen = new Set<string>();
  for (const m of w.metrics) for (const k of Object.keys(m.values)) seen.add(k);
  return [...seen].sort((a,
    b) => (ORDER.indexOf(a) + 100 * Number(!ORDER.includes(a))) - (ORDER.indexOf(b) + 100 * Number(!ORDER.includes(b))) || a.localeCompare(b));
}

export function fmt(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function ratio(v: number | null): string {
  return v == null ? '—' : `${v.toFixed(2)}×`;
}

/** A value, with "(min–max)" of its passes when there were several. */
function cell(m: Metric, c: string): string {
  const d = m.detail?.[c];
  const s = m.spread?.[c];
  const range = s && s.passes.length > 1 ? ` (${fmt(s.min)}–${fmt(s.max)})` : '';
  return `${fmt(m.values[c])}${range}${d && m.values[c] == null ? ` (${d})` : ''}`;
}

function metricRow(m: Metric, cols: string[], pairs: [string, string][]): string {
  const ratios = pairs.map(([e, o]) => ratio(speedup(m, e, o)));
  return `| ${m.label} | ${m.unit} | ${cols.map((c) => cell(m, c)).join(' | ')} |${ratios.length ? ` ${ratios.join(' | ')} |` : ''}`;
}

/** Ratio columns: each Eddy variant against each other column that shares a figure with it. */
function ratioPairs(w: WorkloadResult, cols: string[]): [string, string][] {
  const eddies = cols.filter((c) => c.startsWith('eddy'));
  const others = cols.filter((c) => !c.startsWith('eddy'));
  const pairs: [string, string][] = [];
  for (const e of eddies) {
    for (const o of others) if (w.metrics.some((m) => speedup(m, e, o) != null)) pairs.push([e, o]);
  }
  return pairs;
}

const pairLabel = ([e, o]: [string, string]): string => `${e === 'eddy' ? 'Eddy' : e}/${o}`;

export function renderWorkload(w: WorkloadResult, chart?: string): string {
  const cols = columns(w);
  const pairs = ratioPairs(w, cols);
  const lines = [`## ${w.title}`, '', w.description, ''];
  if (cols.length === 0) {
    lines.push('_No figures: every target failed or was not selected (see Errors)._', '');
  } else {
    lines.push(`| metric | unit | ${cols.join(' | ')} |${pairs.map((p) => ` ${pairLabel(p)} |`).join('')}`);
    lines.push(`|---|---|${cols.map(() => '---:').join('|')}|${pairs.map(() => '---:|').join('')}`);
    for (const m of w.metrics) if (Object.keys(m.values).length) lines.push(metricRow(m, cols, pairs));
    lines.push('');
    const details = w.metrics.flatMap((m) => Object.entries(m.detail ?? {}).filter(([c]) => m.values[c] != null).map(([c, d]) => `${m.label} / ${c}: ${d}`));
    if (details.length) lines.push(`Details: ${details.join('; ')}.`, '');
    lines.push('Each figure is the median of its passes, (min–max) beside it; every pass is in the JSON.', '');
  }
  if (pairs.length) lines.push('Ratios are Eddy\'s speed relative to the column (> 1 = Eddy faster; for times: other ÷ Eddy), taken from the medians.', '');
  for (const n of w.notes) lines.push(`- ${n}`);
  if (w.notes.length) lines.push('');
  if (chart) lines.push(`![${w.title}](${chart})`, '');
  return lines.join('\n');
}

export function goalTable(goals: Goal[]): string {
  const lines = ['| issue | goal | measured | ratio | target | met | reason |', '|---|---|---|---:|---:|:---:|---|'];
  for (const g of goals) {
    const met = g.met == null ? 'not measured' : g.met ? 'yes' : 'no';
    lines.push(`| ${g.issue} | ${g.goal} | ${g.measured} | ${ratio(g.ratio)} | ${g.target}× | ${met} | ${g.why.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

export function renderMarkdown(r: RunResults, chartPath: string | undefined, source?: string): string {
  const m = r.meta;
  const out = [
    '# Eddy benchmark results',
    '',
    `Run ${m.startedAt} → ${m.finishedAt} on \`${m.host}\`${m.commit ? ` at commit ${m.commit}` : ''}. ${m.note}`.trim(),
    '',
    ...(source ? [`Every figure below comes from [\`${source}\`](${source}).`, ''] : []),
    'Reproduce on the same machine (as root, FUSE and network namespaces needed):',
    '',
    '```sh',
    m.command,
    '```',
    '',
    'Figures are absolute values and ratios from this one run; rerun on the same machine and compare ratios, not absolute figures, across machines. Nothing here is asserted in tests.',
    '',
    '## Machine and versions',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(m.machine).map(([k, v]) => `| ${k} | ${v} |`),
    `| load average (start → end) | ${m.loadAverage.start.map((x) => x.toFixed(2)).join(' ')} → ${m.loadAverage.end.map((x) => x.toFixed(2)).join(' ')} |`,
    ...Object.entries(m.loadByWorkload ?? {}).map(([w, l]) => `| 1-min load average, ${w} (start → end) | ${l.start.toFixed(2)} → ${l.end.toFixed(2)} |`),
    ...(m.commit ? [`| commit | ${m.commit} |`] : []),
    ...Object.entries(m.versions).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`),
    '',
    '## Targets',
    '',
    ...Object.entries(r.targets).map(([k, v]) => `- **${k}**: ${v}`),
    '',
    '## Goals',
    '',
    goalTable(r.goals),
    '',
    ...r.workloads.map((w) => renderWorkload(w, w.name === 'model-load' ? chartPath : undefined)),
  ];
  if (r.errors.length) out.push('## Errors', '', ...r.errors.map((e) => `- ${e.replace(/\n/g, ' ').slice(0, 600)}`), '');
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal grouped bars: per target, cold and warm MiB/s of the model load. */
export function renderChart(w: WorkloadResult, subtitle: string): string {
  const cold = w.metrics[0];
  const warm = w.metrics[1];
  const cols = columns(w).filter((c) => cold?.values[c] != null || warm?.values[c] != null);
  const max = Math.max(1, ...cols.flatMap((c) => [cold?.values[c] ?? 0, warm?.values[c] ?? 0]));
  const left = 130;
  const width = 760;
  const barW = width - left - 110;
  const rowH = 44;
  const top = 58;
  const height = top + cols.length * rowH + 40;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${left}" y="20" font-size="15" font-weight="bold">Model load: 4 shards read in parallel (MiB/s, higher is better)</text>`,
    `<text x="${left}" y="38" fill="#555">${esc(subtitle)}</text>`,
    `<rect x="${width - 200}" y="44" width="10" height="10" fill="#9ecae1"/><text x="${width - 185}" y="53">cold</text>`,
    `<rect x="${width - 140}" y="44" width="10" height="10" fill="#08519c"/><text x="${width - 125}" y="53">warm</text>`,
  ];
  cols.forEach((c, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y + 22}" text-anchor="end" font-weight="${c.startsWith('eddy') ? 'bold' : 'normal'}">${esc(c)}</text>`);
    const bars: [number | null | undefined, string, number][] = [[cold?.values[c], '#9ecae1', 4], [warm?.values[c], '#08519c', 21]];
    for (const [v, color, dy] of bars) {
      if (v == null) { parts.push(`<text x="${left + 4}" y="${y + dy + 12}" fill="#999">n/a</text>`); continue; }
      const wpx = Math.max(1, (v / max) * barW);
      parts.push(`<rect x="${left}" y="${y + dy}" width="${wpx.toFixed(1)}" height="15" fill="${color}"/>`);
      parts.push(`<text x="${(left + wpx + 5).toFixed(1)}" y="${y + dy + 12}">${fmt(v)}</text>`);
    }
  });
  parts.push(`<line x1="${left}" y1="${top - 4}" x2="${left}" y2="${top + cols.length * rowH}" stroke="#333"/>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
