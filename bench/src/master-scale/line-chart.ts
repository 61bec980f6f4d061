// A small SVG line chart (log-scale x) for the master-scale bench: one line per series, a dot and
// its value at each point. No dependencies; the output is committed next to the JSON it draws.

export interface Series { name: string; color: string; points: [number, number][] }

export interface LineChart {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines (goals), e.g. 300 bytes per block. */
  refs?: { y: number; label: string }[];
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function short(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return v >= 10 ? String(Math.round(v)) : String(+v.toFixed(2));
}

export function renderLineChart(c: LineChart): string {
  const width = 720;
  const height = 420;
  const left = 80;
  const right = 170;
  const top = 60;
  const bottom = 60;
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...c.series.flatMap((s) => s.points.map((p) => p[1])), ...(c.refs ?? []).map((r) => r.y)];
  const x0 = Math.log10(Math.min(...xs));
  const x1 = Math.max(x0 + 1, Math.log10(Math.max(...xs)));
  const yMax = Math.max(1e-9, ...ys) * 1.1;
  const px = (x: number): number => left + ((Math.log10(x) - x0) / (x1 - x0)) * (width - left - right);
  const py = (y: number): number => top + (1 - y / yMax) * (height - top - bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(c.title)}</text>`,
    `<text x="${left}" y="40" fill="#555">${esc(c.subtitle)}</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 18}" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text x="18" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(top + height - bottom) / 2})">${esc(c.yLabel)}</text>`,
  ];
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<text x="${px(x).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${short(x)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 1.1) * (i / 4);
    out.push(`<text x="${left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" fill="#555">${short(y)}</text>`);
    out.push(`<line x1="${left}" y1="${py(y).toFixed(1)}" x2="${width - right}" y2="${py(y).toFixed(1)}" stroke="#eee"/>`);
  }
  for (const r of c.refs ?? []) {
    out.push(`<line x1="${left}" y1="${py(r.y).toFixed(1)}" x2="${width - right}" y2="${py(r.y).toFixed(1)}" stroke="#c00" stroke-dasharray="5,4"/>`);
    out.push(`<text x="${width - right + 6}" y="${(py(r.y) + 4).toFixed(1)}" fill="#c00">${esc(r.label)}</text>`);
  }
  c.series.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [x, y] of s.points) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
      out.push(`<text x="${(px(x) + 6).toFixed(1)}" y="${(py(y) - 6).toFixed(1)}" fill="${s.color}">${short(y)}</text>`);
    }
    const ly = top + 10 + i * 18;
    out.push(`<rect x="${width - right + 10}" y="${ly - 9}" width="12" height="3" fill="${s.color}"/>`);
    out.push(`<text x="${width - right + 28}" y="${ly - 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
