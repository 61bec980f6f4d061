// A Listing (one `eddy get` read) as a kubectl-style table, or as JSON/YAML objects.
import type { Listing } from '../actions/fetch-listing.js';
import type { ResourceName } from '../resource-kinds.js';
import { renderTable } from './render-table.js';
import { resourceObject } from './resource-object.js';
import {
  DATALOAD_HEADERS, DATALOAD_WIDE_HEADERS, DATASET_HEADERS, DATASET_WIDE_HEADERS, RUNTIME_HEADERS, SECRET_HEADERS,
  WORKER_HEADERS, WORKER_WIDE_HEADERS, dataLoadRow, datasetRow, runtimeRow, secretRow, workerRow, type TableOptions,
} from './resource-tables.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export interface ListingTableOptions extends TableOptions { wide: boolean }

export function headersFor(resource: ResourceName, wide: boolean): readonly string[] {
  switch (resource) {
    case 'dataset': return wide ? DATASET_WIDE_HEADERS : DATASET_HEADERS;
    case 'dataload': return wide ? DATALOAD_WIDE_HEADERS : DATALOAD_HEADERS;
    case 'runtime': return RUNTIME_HEADERS;
    case 'worker': return wide ? WORKER_WIDE_HEADERS : WORKER_HEADERS;
    case 'secret': return SECRET_HEADERS;
  }
}

export function rowsFor(listing: Listing, options: ListingTableOptions): string[][] {
  switch (listing.resource) {
    case 'worker': return listing.items.map((w) => workerRow(w, options));
    case 'dataset': return listing.items.map((r) => datasetRow(r, options));
    case 'dataload': return listing.items.map((r) => dataLoadRow(r, options));
    case 'runtime': return listing.items.map((r) => runtimeRow(r, options));
    case 'secret': return listing.items.map((r) => secretRow(r));
  }
}

export function renderListing(listing: Listing, options: ListingTableOptions): string {
  return renderTable(headersFor(listing.resource, options.wide), rowsFor(listing, options), options);
}

/** JSON/YAML output: one object when NAME was given, else a kubectl-style List. */
export async function renderStructured(listing: Listing, single: boolean, format: 'json' | 'yaml'): Promise<string> {
  const objects: unknown[] = listing.resource === 'worker' ? listing.items : listing.items.map(resourceObject);
  const value = single ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  // The YAML library is loaded only for -o yaml.
  const { stringify } = await import('yaml');
  return stringify(value);
}
