// Summarises V8 CPU profiles (`node --cpu-prof`, e.g. EDDY_BENCH_PROFILE / EDDY_BENCH_CPU_PROF of
// the benches) as the functions with the most self time, so a profile can be quoted in a doc.
//   node bench/lib/cpu-profile-top.js [--top 15] FILE.cpuprofile...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self time per function (name, file, line), in ms, most first. */
function selfTimes(p: Profile): { frame: string; ms: number; share: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    const f = node.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    ms.set(key, (ms.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...ms.entries()].sort((a, b) => b[1] - a[1]).map(([frame, t]) => ({ frame, ms: Math.round(t), share: total ? t / total : 0 }));
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true });
for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const rows = selfTimes(p);
  const wall = (p.endTime - p.startTime) / 1e6;
  console.log(`${basename(file)}: ${wall.toFixed(1)} s profiled`);
  for (const r of rows.slice(0, Number(values.top))) console.log(`  ${(r.share * 100).toFixed(1).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.frame}`);
}
