// Events for what a human should see (`kubectl describe`, `kubectl get events`): one Event per
// object, reason and message, its count raised when it happens again, as the kubelet's recorder does.
// The same event is not sent again within `repeatAfterMs` (a reconcile loop must not flood etcd).
import { createHash } from 'node:crypto';
import type { Logger } from '@eddy/core';
import type { KubeApi, KubeObject } from './kube-api.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  component: string;
  /** Default 5 min. */
  repeatAfterMs?: number;
}

type EventApi = Pick<KubeApi, 'createEvent' | 'readEvent' | 'replaceEvent'>;

export class EventRecorder {
  readonly #api: EventApi;
  readonly #logger: Logger;
  readonly #component: string;
  readonly #repeatAfterMs: number;
  readonly #sent = new Map<string, number>();

  constructor(api: EventApi, logger: Logger, options: EventRecorderOptions) {
    this.#api = api;
    this.#logger = logger;
    this.#component = options.component;
    this.#repeatAfterMs = options.repeatAfterMs ?? 300_000;
  }

  /** Records an Event on `obj`; never throws (an Event is worth less than the reconcile that sends it). */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace ?? 'default';
    const digest = createHash('sha256').update(`${obj.kind}\0${obj.metadata.uid ?? ''}\0${type}\0${reason}\0${message}`).digest('hex').slice(0, 16);
    const name = `${obj.metadata.name}.${digest}`;
    const last = this.#sent.get(name);
    const now = Date.now();
    if (last !== undefined && now - last < this.#repeatAfterMs) return;
    this.#sent.set(name, now);
    const time = new Date(now);
    try {
      const existing = await this.#api.readEvent(namespace, name);
      if (existing) {
        await this.#api.replaceEvent(namespace, name, { ...existing, count: (existing.count ?? 1) + 1, lastTimestamp: time });
        return;
      }
      await this.#api.createEvent(namespace, {
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace,
          ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
        },
        type, reason, message: message.slice(0, 1024), count: 1,
        firstTimestamp: time, lastTimestamp: time,
        source: { component: this.#component },
        reportingComponent: this.#component, reportingInstance: this.#component,
      });
    } catch (err) {
      this.#sent.delete(name);
      this.#logger.warn({ err, reason, object: `${obj.kind}/${namespace}/${obj.metadata.name}` }, 'could not record an Event');
    }
  }
}
