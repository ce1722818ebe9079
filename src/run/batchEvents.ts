import { Observable, type Subscriber, Subscription, map, merge } from 'rxjs';
import type { EventsApi } from '../client/types.js';
import type { InvokeEventMap } from '../schemas/events.js';

/** The socket events that belong to one queue item (and so to one batch). */
export const ITEM_EVENTS = [
  'queue_item_status_changed',
  'invocation_started',
  'invocation_progress',
  'invocation_complete',
  'invocation_error',
] as const;

export type ItemEventName = (typeof ITEM_EVENTS)[number];

/** One per-item event, with its name. */
export type ItemEvent = { [K in ItemEventName]: { name: K; payload: InvokeEventMap[K] } }[ItemEventName];

interface Router {
  watch(batchId: string | null, origin: string | null): Observable<ItemEvent>;
}

const routers = new WeakMap<EventsApi, Router>();

/**
 * The per-item events of one batch (or of one origin): hot, like the socket they come from.
 *
 * All runs on a client share one subscription per event name, and each event goes straight to
 * the runs it belongs to (looked up by `batch_id`, then `origin`), so the cost of an event does
 * not grow with the number of runs in flight. A run subscribed under both keys gets it once.
 */
export function batchEvents(events: EventsApi, batchId: string | null, origin: string | null = null): Observable<ItemEvent> {
  let router = routers.get(events);
  if (!router) routers.set(events, (router = createRouter(events)));
  return router.watch(batchId, origin);
}

function createRouter(events: EventsApi): Router {
  type Watcher = Subscriber<ItemEvent>;
  const byBatch = new Map<string, Set<Watcher>>();
  const byOrigin = new Map<string, Set<Watcher>>();
  let source: Subscription | null = null;
  let watchers = 0;

  const add = (index: Map<string, Set<Watcher>>, key: string, w: Watcher) => {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(w);
  };
  const remove = (index: Map<string, Set<Watcher>>, key: string, w: Watcher) => {
    const set = index.get(key);
    if (!set) return;
    set.delete(w);
    if (set.size === 0) index.delete(key);
  };

  const dispatch = (event: ItemEvent) => {
    const { batch_id, origin } = event.payload as { batch_id: string; origin?: string | null };
    const forBatch = byBatch.get(batch_id);
    const forOrigin = origin ? byOrigin.get(origin) : undefined;
    if (forBatch) for (const w of [...forBatch]) w.next(event);
    if (forOrigin) for (const w of [...forOrigin]) if (!forBatch?.has(w)) w.next(event);
  };

  return {
    watch: (batchId, origin) =>
      new Observable<ItemEvent>((subscriber) => {
        if (batchId !== null) add(byBatch, batchId, subscriber);
        if (origin) add(byOrigin, origin, subscriber);
        watchers += 1;
        if (source === null) {
          const all$ = merge(...ITEM_EVENTS.map((name) => events.on(name).pipe(map((payload) => ({ name, payload }) as ItemEvent))));
          const s = new Subscription();
          source = s;
          // The streams end when the client is closed; the next run subscribes afresh.
          s.add(all$.subscribe({ next: dispatch, complete: () => void (source === s && (source = null)) }));
        }
        return () => {
          if (batchId !== null) remove(byBatch, batchId, subscriber);
          if (origin) remove(byOrigin, origin, subscriber);
          watchers -= 1;
          if (watchers === 0 && source) {
            const s = source;
            source = null;
            s.unsubscribe();
          }
        };
      }),
  };
}
