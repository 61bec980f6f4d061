// The operator's connection to one Dataset's master: it hands the master the manifests (Secrets,
// Dataset, Runtime, DataLoads) it should hold, removes those it should no longer hold, and reads the
// status the master computes (typed Resources, whose status fields default to zero when unset).
import { createMasterClient, type MasterRpc, type proto } from '@eddy/protocol';

/** Deadline of one call to a master. */
const CALL_TIMEOUT_MS = 10_000;

export type MasterKind = 'secret' | 'dataset' | 'runtime' | 'dataload';

export class MasterLink {
  readonly address: string;
  readonly #token: string;
  readonly #rpc: MasterRpc;
  #closed = false;

  constructor(address: string, token: string) {
    this.address = address;
    this.#token = token;
    this.#rpc = createMasterClient(address, { token });
  }

  /** Whether this link still fits (the master moved, or its token changed). */
  matches(address: string, token: string): boolean {
    return this.address === address && this.#token === token;
  }

  /** Applies multi-document text (carries Secret values: the master journals them, nobody logs them). */
  async apply(text: string, signal?: AbortSignal): Promise<void> {
    await this.#rpc.apply({ manifests: text }, { timeoutMs: CALL_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  }

  async list(kind: MasterKind, signal?: AbortSignal): Promise<proto.Resource__Output[]> {
    const res = await this.#rpc.get({ kind, name: '' }, { timeoutMs: CALL_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    return res.resources ?? [];
  }

  async delete(kind: MasterKind, name: string, signal?: AbortSignal): Promise<void> {
    await this.#rpc.delete({ kind, name }, { timeoutMs: CALL_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rpc.close();
  }
}
