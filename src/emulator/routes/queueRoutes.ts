import * as z from 'zod';
import { zEnqueueBatchBody, type BatchDatum, type Graph } from '../../schemas/graph.js';
import { DEFAULT_FIELD_TABLE } from '../../workflow/fieldTable.js';
import type { EmulatorContext } from '../emulatorContext.js';
import { EmulatorHttpError, validationError, type ValidationErrorEntry } from '../errors/EmulatorHttpError.js';
import { normalizeGraph } from '../executor/normalizeGraph.js';
import { json, type RequestContext, type Route } from '../http/router.js';
import { jsonBody, parseOr422, pathInt } from '../http/validation.js';
import { withoutNulls } from '../jsonUtil.js';
import { isTerminal, newSession, type QueueItem } from '../queueStore.js';

/** `validateGraph`'s entry type for batch/generator nodes (a plain-text 500 on a real server). */
const NOT_EXECUTABLE_NODE_ERROR = 'not_executable_node';
const NODE_ATTRIBUTES = new Set(['id', 'type', 'is_intermediate', 'use_cache']);
const kindOfItem = (v: unknown) => (typeof v === 'number' ? 'number' : Array.isArray(v) ? 'list' : typeof v === 'object' && v !== null ? Object.keys(v).sort().join() : typeof v);

/** The `Batch` validators (`session_queue_common.py`), in their order. */
function batchDataErrors(data: BatchDatum[][] | null | undefined, graph: Graph): ValidationErrorEntry[] {
  if (!data) return [];
  const err = (msg: string, loc: (string | number)[] = ['body', 'batch']): ValidationErrorEntry[] => [
    { type: 'value_error', loc, msg: `Value error, ${msg}`, input: data, ctx: { error: {} } },
  ];
  for (const inner of data) {
    const len = inner[0]?.items.length;
    if (inner.some((d) => d.items.length !== len)) return err('Zipped batch items must all have the same length', ['body', 'batch', 'data']);
  }
  for (const inner of data)
    for (const d of inner) {
      const kinds = new Set(d.items.map(kindOfItem));
      if (kinds.size > 1) return err('All items in a batch must have the same type', ['body', 'batch', 'data']);
    }
  const seen = new Set<string>();
  for (const inner of data)
    for (const d of inner) {
      const key = `${d.node_path}\0${d.field_name}`;
      if (seen.has(key)) return err('Each batch data must have unique node_id and field_name', ['body', 'batch', 'data']);
      seen.add(key);
    }
  for (const inner of data)
    for (const d of inner) {
      const node = graph.nodes[d.node_path];
      if (!node) return err(`Node ${d.node_path} not found in graph`);
      const spec = DEFAULT_FIELD_TABLE.nodes[node.type];
      if (!NODE_ATTRIBUTES.has(d.field_name) && spec && !(d.field_name in spec.f) && !spec.extra)
        return err(`Field ${d.field_name} not found in node ${d.node_path}`);
    }
  return [];
}

const notFound = (id: number, queueId: string) => new EmulatorHttpError(404, `Queue item with id ${id} not found in queue ${queueId}`);

const zItemIds = z.object({ item_ids: z.array(z.number().int()).max(1000) });
const zBatchIds = z.object({ batch_ids: z.array(z.string()) });

/** `/api/v1/queue/{queue_id}/...` */
export function queueRoutes(emu: EmulatorContext): Route[] {
  const { queue } = emu;
  const P = '/api/v1/queue/{queue_id}';

  /** A row as `user` may see it: other users' rows are redacted in multi-user mode (`_REDACTIONS`). */
  const view = (item: QueueItem, ctx: RequestContext): Record<string, unknown> => {
    if (emu.canAccess(ctx.user, item)) return { ...item };
    return {
      ...item,
      user_id: 'redacted',
      batch_id: 'redacted',
      session_id: 'redacted',
      session: newSession({ id: 'redacted', nodes: {}, edges: [] }),
      error_type: null,
      error_message: null,
      error_traceback: null,
      workflow: null,
      field_values: null,
    };
  };

  const find = (ctx: RequestContext): QueueItem => {
    const id = pathInt('item_id', ctx.params.item_id!);
    const item = queue.get(id);
    if (!item) throw notFound(id, ctx.params.queue_id!);
    if (item.queue_id !== ctx.params.queue_id)
      throw new EmulatorHttpError(500, `Unexpected error while fetching queue item: 404: Queue item with id ${id} not found in queue ${ctx.params.queue_id}`);
    return item;
  };

  const mine = (ctx: RequestContext) => (i: QueueItem) => ctx.user.is_admin || i.user_id === ctx.user.user_id;
  const byPriority = (a: QueueItem, b: QueueItem) => b.priority - a.priority || a.item_id - b.item_id;

  return [
    {
      method: 'POST',
      path: `${P}/enqueue_batch`,
      auth: 'user',
      handler: async (ctx) => {
        const queueId = ctx.params.queue_id!;
        const body = parseOr422(zEnqueueBatchBody, jsonBody(await ctx.body()), ['body']);
        const { batch } = body;
        const graphErrors = (await emu.validateGraph())(batch.graph).map((e) =>
          e.loc[0] === 'body' ? e : { ...e, loc: ['body', 'batch', 'graph', ...e.loc] },
        );
        // A batch/generator node makes pydantic raise a TypeError, which FastAPI answers as a bare 500.
        if (graphErrors.some((e) => e.type === NOT_EXECUTABLE_NODE_ERROR)) throw new EmulatorHttpError(500, 'Internal Server Error', { 'x-plain-text': '1' });
        if (graphErrors.length > 0) throw validationError(graphErrors);
        const dataErrors = batchDataErrors(batch.data, batch.graph);
        if (dataErrors.length > 0) throw validationError(dataErrors);

        const graph = normalizeGraph(batch.graph);
        const owner = emu.ownerOf(ctx.user);
        const outcome = queue.enqueue(queueId, { ...batch, graph }, body.prepend, owner, emu.maxQueueSize);
        const echo = {
          batch_id: outcome.batch_id,
          origin: batch.origin ?? null,
          destination: batch.destination ?? null,
          data: batch.data ?? null,
          graph,
          workflow: batch.workflow ?? null,
          runs: batch.runs,
        };
        emu.hub.batchEnqueued(
          {
            timestamp: Math.floor(Date.now() / 1000),
            queue_id: queueId,
            batch_id: outcome.batch_id,
            enqueued: outcome.enqueued,
            requested: outcome.requested,
            priority: outcome.priority,
            origin: batch.origin ?? null,
            user_id: owner.user_id,
          },
          owner.user_id,
          queueId,
        );
        return json({
          queue_id: queueId,
          enqueued: outcome.enqueued,
          requested: outcome.requested,
          batch: echo,
          priority: outcome.priority,
          item_ids: outcome.item_ids,
        });
      },
    },
    {
      method: 'GET',
      path: `${P}/list_all`,
      auth: 'user',
      handler: (ctx) => {
        const destination = ctx.query.string('destination');
        const rows = queue
          .all()
          .filter((i) => i.queue_id === ctx.params.queue_id && (destination === undefined || i.destination === destination))
          .sort(byPriority);
        return json(rows.map((i) => view(i, ctx)));
      },
    },
    {
      method: 'GET',
      path: `${P}/item_ids`,
      auth: 'user',
      handler: (ctx) => {
        const dir = ctx.query.enum('order_dir', ['ASC', 'DESC'] as const) ?? 'DESC';
        const ids = queue
          .all()
          .filter((i) => i.queue_id === ctx.params.queue_id)
          .map((i) => i.item_id);
        if (dir === 'DESC') ids.reverse();
        return json({ item_ids: ids, total_count: ids.length });
      },
    },
    {
      method: 'POST',
      path: `${P}/items_by_ids`,
      auth: 'user',
      handler: async (ctx) => {
        const { item_ids } = parseOr422(zItemIds, jsonBody(await ctx.body()), ['body']);
        const rows = item_ids.map((id) => queue.get(id)).filter((i): i is QueueItem => i !== undefined && i.queue_id === ctx.params.queue_id);
        return json(rows.map((i) => view(i, ctx)));
      },
    },
    {
      // `get_queue_item_summaries_by_ids`: the list view's light rows (no session), in request order.
      method: 'POST',
      path: `${P}/item_summaries_by_ids`,
      auth: 'user',
      handler: async (ctx) => {
        const { item_ids } = parseOr422(zItemIds, jsonBody(await ctx.body()), ['body']);
        const rows = item_ids.map((id) => queue.get(id)).filter((i): i is QueueItem => i !== undefined && i.queue_id === ctx.params.queue_id);
        return json(
          rows.map((i) => {
            const v = view(i, ctx);
            return {
              item_id: v.item_id,
              created_at: v.created_at,
              status: v.status,
              device: v.device,
              started_at: v.started_at,
              completed_at: v.completed_at,
              origin: v.origin,
              destination: v.destination,
              batch_id: v.batch_id,
              user_id: v.user_id,
              user_display_name: v.user_display_name,
              user_email: v.user_email,
              field_values: v.field_values,
              parent_item_id: v.parent_item_id,
            };
          }),
        );
      },
    },
    {
      method: 'PUT',
      path: `${P}/processor/resume`,
      auth: 'admin',
      handler: () => {
        emu.worker.resume();
        return json(emu.processorStatus());
      },
    },
    {
      method: 'PUT',
      path: `${P}/processor/pause`,
      auth: 'admin',
      handler: () => {
        emu.worker.pause();
        return json(emu.processorStatus());
      },
    },
    {
      method: 'PUT',
      path: `${P}/cancel_by_batch_ids`,
      auth: 'user',
      handler: async (ctx) => {
        const { batch_ids } = parseOr422(zBatchIds, jsonBody(await ctx.body()), ['body']);
        const ids = new Set(batch_ids);
        const own = mine(ctx);
        return json({ canceled: queue.cancelMany(ctx.params.queue_id!, (i) => ids.has(i.batch_id) && own(i)) });
      },
    },
    {
      method: 'PUT',
      path: `${P}/cancel_by_destination`,
      auth: 'user',
      handler: (ctx) => {
        const destination = ctx.query.string('destination', true);
        const own = mine(ctx);
        return json({ canceled: queue.cancelMany(ctx.params.queue_id!, (i) => i.destination === destination && own(i)) });
      },
    },
    {
      method: 'PUT',
      path: `${P}/cancel_all_except_current`,
      auth: 'user',
      handler: (ctx) => {
        const own = mine(ctx);
        return json({ canceled: queue.cancelMany(ctx.params.queue_id!, (i) => i.status !== 'in_progress' && own(i)) });
      },
    },
    {
      method: 'PUT',
      path: `${P}/clear`,
      auth: 'user',
      handler: (ctx) => {
        const admin = ctx.user.is_admin;
        const deleted = queue.clear(ctx.params.queue_id!, mine(ctx), admin ? null : ctx.user.user_id);
        return json({ deleted });
      },
    },
    {
      method: 'PUT',
      path: `${P}/prune`,
      auth: 'user',
      handler: (ctx) => json({ deleted: queue.prune(ctx.params.queue_id!, mine(ctx)) }),
    },
    {
      method: 'GET',
      path: `${P}/current`,
      auth: 'user',
      handler: (ctx) => {
        const i = queue.current(ctx.params.queue_id!);
        return json(i ? view(i, ctx) : null);
      },
    },
    {
      method: 'GET',
      path: `${P}/next`,
      auth: 'user',
      handler: (ctx) => {
        const i = queue.peekNext(ctx.params.queue_id!);
        return json(i ? view(i, ctx) : null);
      },
    },
    {
      method: 'GET',
      path: `${P}/status`,
      auth: 'user',
      handler: (ctx) => json({ queue: emu.queueStatus(ctx.params.queue_id!, ctx.user), processor: emu.processorStatus() }),
    },
    {
      method: 'GET',
      path: `${P}/b/{batch_id}/status`,
      auth: 'user',
      handler: (ctx) => json(emu.batchStatus(ctx.params.queue_id!, ctx.params.batch_id!)),
    },
    {
      method: 'GET',
      path: `${P}/counts_by_destination`,
      auth: 'user',
      handler: (ctx) => {
        const destination = ctx.query.string('destination', true);
        const c = { pending: 0, in_progress: 0, waiting: 0, completed: 0, failed: 0, canceled: 0, total: 0 };
        for (const i of queue.all())
          if (i.queue_id === ctx.params.queue_id && i.destination === destination) {
            c[i.status] += 1;
            c.total += 1;
          }
        return json({ queue_id: ctx.params.queue_id, destination, ...c });
      },
    },
    {
      method: 'GET',
      path: `${P}/i/{item_id}`,
      auth: 'user',
      handler: (ctx) => json(withoutNulls(view(find(ctx), ctx))),
    },
    {
      method: 'DELETE',
      path: `${P}/i/{item_id}`,
      auth: 'user',
      handler: (ctx) => {
        const item = find(ctx);
        if (!emu.canAccess(ctx.user, item)) throw new EmulatorHttpError(403, 'You do not have permission to delete this queue item');
        if (!isTerminal(item.status)) queue.cancel(item);
        queue.delete(item);
        return json(null);
      },
    },
    {
      method: 'PUT',
      path: `${P}/i/{item_id}/cancel`,
      auth: 'user',
      handler: (ctx) => {
        const item = find(ctx);
        if (!emu.canAccess(ctx.user, item)) throw new EmulatorHttpError(403, 'You do not have permission to cancel this queue item');
        queue.cancel(item);
        return json(view(item, ctx));
      },
    },
  ];
}
