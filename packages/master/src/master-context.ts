// What the rest of the master offers the DataLoad controller (and any other in-process consumer):
// namespace listings and refresh, live workers, block holders, consistent-hash order, worker RPCs
// and the journal. The controller's package defines the contract; this name is the master's.
export type { DataLoadContext as MasterContext, DataLoadFile, DataLoadWorker, StaleBlock } from './dataload/dataload-context.js';
