// Reads `-f FILE` (or `-f -` for stdin) for apply/delete/up, and makes relative `file://` mount
// points absolute. A relative mountPoint (`file://./data`) resolves against the directory of the
// manifest file that names it (stdin: the current directory), so a manifest works from any
// working directory and means the same thing to a master running elsewhere on the host.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments, isMap, isSeq, isScalar } from 'yaml';
import { ValidationError } from '@eddy/core';
import type { CliIo } from './cli-io.js';

export interface ManifestInput {
  /** The manifests as text (multi-document YAML or JSON). */
  text: string;
  /** Where they came from, for messages: the path or `<stdin>`. */
  source: string;
  /** Directory relative file:// URLs resolve against. */
  baseDir: string;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readManifestInput(file: string, io: CliIo): Promise<ManifestInput> {
  if (file === '-') return { text: await readStream(io.stdin), source: '<stdin>', baseDir: io.cwd };
  const path = resolve(io.cwd, file);
  try {
    return { text: await readFile(path, 'utf8'), source: file, baseDir: dirname(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ValidationError(`-f ${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : code}`, '-f', { cause: err });
  }
}

/** `file://./x` or `file://x` → `file:///abs/base/x`; anything else unchanged. */
export function absoluteFileUrl(url: string, baseDir: string): string {
  if (!url.startsWith('file://')) return url;
  const rest = url.slice('file://'.length);
  if (rest === '' || rest.startsWith('/')) return url;
  let decoded = rest;
  try { decoded = decodeURIComponent(rest); } catch { /* the UFS layer reports bad escapes */ }
  const abs = pathToFileURL(resolve(baseDir, decoded)).href;
  return abs;
}

/**
 * Rewrites relative `file://` mountPoints of Dataset documents in `text`. Text without any is
 * returned unchanged (byte for byte), so comments and formatting survive for everything else;
 * YAML that does not parse is returned as is for the master to report with document positions.
 */
export function resolveRelativeFileUrls(text: string, baseDir: string): string {
  if (!/file:\/\/(?!\/)/.test(text)) return text;
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return text;
  let changed = false;
  for (const doc of docs) {
    if (doc.get('kind') !== 'Dataset') continue;
    const mounts = doc.getIn(['spec', 'mounts']);
    if (!isSeq(mounts)) continue;
    mounts.items.forEach((m, i) => {
      if (!isMap(m)) return;
      const node = m.get('mountPoint', true);
      if (!isScalar(node) || typeof node.value !== 'string') return;
      const abs = absoluteFileUrl(node.value, baseDir);
      if (abs !== node.value) {
        doc.setIn(['spec', 'mounts', i, 'mountPoint'], abs);
        changed = true;
      }
    });
  }
  if (!changed) return text;
  return docs.map((d) => d.toString()).join('');
}
