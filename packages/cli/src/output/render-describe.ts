// `eddy describe`: kubectl's rendering of a custom resource — nested maps with Title Case keys,
// values aligned within each run of consecutive key/value lines (kubectl's tabwriter, padding 2).

type Line = { text: string } | { key: string; value: string };

/** `lastProbeTime` → `Last Probe Time`, `apiVersion` → `API Version`, `ufsTotal` → `Ufs Total`. */
export function titleCase(key: string): string {
  if (key === 'apiVersion') return 'API Version';
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(/[\s_-]+/);
  return words.filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return String(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// kubectl prints an unstructured object's keys in sorted order (the seed's status block reads
// Conditions, Duration, Last Schedule Time, Last Successful Time, Phase).
function walk(obj: Record<string, unknown>, indent: number, out: Line[], sort = true): void {
  const pad = ' '.repeat(indent);
  const entries = Object.entries(obj);
  if (sort) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    const label = `${pad}${titleCase(k)}:`;
    if (isPlainObject(v)) {
      out.push({ text: label });
      walk(v, indent + 2, out);
    } else if (Array.isArray(v)) {
      if (v.length === 0) { out.push({ key: label, value: '' }); continue; }
      if (v.every((x) => !isPlainObject(x) && !Array.isArray(x))) {
        out.push({ text: label });
        for (const x of v) out.push({ text: `${pad}  ${scalar(x)}` });
        continue;
      }
      out.push({ text: label });
      for (const item of v) {
        if (isPlainObject(item)) walk(item, indent + 2, out);
        else out.push({ text: `${pad}  ${scalar(item)}` });
      }
    } else {
      out.push({ key: label, value: scalar(v) });
    }
  }
}

/** Aligns each run of consecutive key/value lines like Go's tabwriter does. */
function align(lines: Line[]): string {
  let out = '';
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if ('text' in line) { out += line.text + '\n'; i++; continue; }
    let j = i;
    let width = 0;
    while (j < lines.length && 'key' in lines[j]!) { width = Math.max(width, (lines[j] as { key: string }).key.length); j++; }
    for (let k = i; k < j; k++) {
      const l = lines[k] as { key: string; value: string };
      out += (l.value === '' ? l.key : l.key.padEnd(width + 2) + l.value) + '\n';
    }
    i = j;
  }
  return out;
}

/**
 * Renders an object in kubectl describe's layout: Name/Namespace/Labels/Annotations first,
 * then API Version, Kind, Metadata (without the name), Spec and Status.
 */
export function renderDescribe(object: Record<string, unknown>): string {
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  const { name, namespace, labels, annotations, ...restMeta } = metadata;
  const head: Record<string, unknown> = {
    name: scalar(name),
    namespace: scalar(namespace) || 'default',
    labels: isPlainObject(labels) && Object.keys(labels).length ? labels : '<none>',
    annotations: isPlainObject(annotations) && Object.keys(annotations).length ? annotations : '<none>',
    apiVersion: object.apiVersion,
    kind: object.kind,
  };
  const body: Record<string, unknown> = {};
  if (Object.keys(restMeta).length) body.metadata = restMeta;
  for (const [k, v] of Object.entries(object)) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    body[k] = v;
  }
  const lines: Line[] = [];
  walk(head, 0, lines, false);
  walk(body, 0, lines, false);
  lines.push({ text: 'Events:  <none>' });
  return align(lines);
}
