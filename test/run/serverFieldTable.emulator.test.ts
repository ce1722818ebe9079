/**
 * Workflows without a field table run against the server's own (the emulator's `/openapi.json`):
 * the same graph as with InvokeAI 6.14's table given explicitly, one OpenAPI request per client,
 * a failed request not kept, and a value the server's table rejects reported before enqueueing.
 */
import { readFileSync } from 'node:fs';
import { firstValueFrom, lastValueFrom, merge, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { ClientOptions, InvokeAIClient } from '../../src/client/types.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { isHttpError } from '../../src/errors/guards.js';
import { type InputValueError, isInputValueError } from '../../src/errors/InputValueError.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import type { Batch } from '../../src/schemas/graph.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { syncModels } from '../../src/workflow/syncModels.js';
import type { Workflow } from '../../src/workflow/Workflow.js';
import { TABLE_6_14, WITH_6_14 } from '../support/fieldTable.js';

const json = readFileSync(new URL('../../data/workflows/sdxl_base.json', import.meta.url), 'utf8');
// sdxl_base.json: 0 positive prompt, 2 seed, 3 steps, 5 width, 6 height (small: light CPU work).
const VALUES = { 0: 'a lighthouse at dusk', 2: 42, 3: 2, 5: 64, 6: 64 };
const OPENAPI = ['GET', '/openapi.json'] as const;

let emu: Emulator;
const clients: InvokeAIClient[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await emu?.close();
});

/** A client whose enqueued batches are recorded. */
function recordingClient(options: ClientOptions = {}): InvokeAIClient & { batches: Batch[] } {
  const inner = createInvokeAIClient({ baseUrl: emu.url, ...options });
  clients.push(inner);
  const batches: Batch[] = [];
  const queue = { ...inner.queue, enqueueBatch: (batch: Batch, o?: { prepend?: boolean }) => (batches.push(batch), inner.queue.enqueueBatch(batch, o)) };
  return { ...inner, queue, batches };
}

/** The workflow with the emulator's model keys (they differ between installs). */
async function ready(client: InvokeAIClient, wf: Workflow): Promise<Workflow> {
  return syncModels(wf, await firstValueFrom(client.models.list()), { byName: true });
}

const completed = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'completed' }> => e.type === 'completed');
const openapiRequests = () => emu.stats.requestCount(...OPENAPI);

describe("runWorkflow with the server's field table", () => {
  it('builds the same graph as with the 6.14 table given explicitly, and maps the outputs the same', async () => {
    const client = recordingClient();
    const offline = await ready(client, parseWorkflow(json).with(VALUES));
    const explicit = await ready(client, parseWorkflow(json, WITH_6_14).with(VALUES));
    expect(offline.fieldTable).toBeNull();

    const [viaServer] = completed(await lastValueFrom(runWorkflow(client, offline).pipe(toArray())));
    const [viaExplicit] = completed(await lastValueFrom(runWorkflow(client, explicit).pipe(toArray())));
    const [a, b] = client.batches.map(({ graph, data, runs }) => ({ graph: { ...graph, id: undefined }, data, runs }));
    expect(a).toEqual(b);
    expect(Object.keys(a!.graph.nodes).length).toBeGreaterThan(3);
    expect(viaServer!.result.outputs.map((o) => [o.nodeId, o.nodeType, o.isIntermediate, o.imageNames.length])).toEqual(
      viaExplicit!.result.outputs.map((o) => [o.nodeId, o.nodeType, o.isIntermediate, o.imageNames.length]),
    );
  });

  it('the table the client loads is the emulator’s, which is InvokeAI 6.14’s', async () => {
    const client = recordingClient();
    const table = await firstValueFrom(client.app.fieldTable());
    expect(table.nodes).toEqual(TABLE_6_14.nodes);
    expect(table.outputs).toEqual(TABLE_6_14.outputs);
  });

  it('asks /openapi.json once per client, however many runs (concurrent or not) need it', async () => {
    const client = recordingClient();
    const wf = await ready(client, parseWorkflow(json).with(VALUES));
    const before = openapiRequests();
    await lastValueFrom(merge(runWorkflow(client, wf), runWorkflow(client, wf.with({ 2: 43 })), runWorkflow(client, wf.with({ 2: 44 }))).pipe(toArray()));
    await lastValueFrom(runWorkflow(client, wf.with({ 2: 45 })).pipe(toArray()));
    expect(client.batches).toHaveLength(4);
    expect(openapiRequests() - before).toBe(1);

    // Another client asks for itself; a workflow with a table of its own needs no request.
    const other = recordingClient();
    await lastValueFrom(runWorkflow(other, wf).pipe(toArray()));
    expect(openapiRequests() - before).toBe(2);
    const third = recordingClient();
    await lastValueFrom(runWorkflow(third, await ready(third, parseWorkflow(json, WITH_6_14).with(VALUES))).pipe(toArray()));
    expect(openapiRequests() - before).toBe(2);
  });

  it('retries a failed /openapi.json per the client policy', async () => {
    const client = recordingClient({ retry: { baseDelay: 1, jitter: false } });
    const before = openapiRequests();
    emu.faults.httpErrors({ status: 503, count: 1, route: '/openapi.json' });
    const table = await firstValueFrom(client.app.fieldTable());
    expect(table.nodes.noise).toEqual(TABLE_6_14.nodes.noise);
    expect(openapiRequests() - before).toBe(2);
  });

  it('does not keep a failed load: the run fails, nothing is enqueued, and the next run asks again', async () => {
    const client = recordingClient({ retry: { limit: 0 } });
    const wf = await ready(client, parseWorkflow(json).with(VALUES));
    const before = openapiRequests();
    emu.faults.httpErrors({ status: 503, count: 1, route: '/openapi.json' });
    const error = await lastValueFrom(runWorkflow(client, wf)).catch((e: unknown) => e);
    expect(isHttpError(error)).toBe(true);
    expect((error as { status: number }).status).toBe(503);
    expect(client.batches).toHaveLength(0);

    const events = await lastValueFrom(runWorkflow(client, wf).pipe(toArray()));
    expect(completed(events)).toHaveLength(1);
    expect(openapiRequests() - before).toBe(2);
  });

  it("reports a value the server's table rejects as the InputValueError with() throws, before enqueueing", async () => {
    const client = recordingClient();
    const offline = await ready(client, parseWorkflow(json).with({ ...VALUES, 5: 65 }));
    const error = (await lastValueFrom(runWorkflow(client, offline)).catch((e: unknown) => e)) as InputValueError;
    let atWith: unknown;
    try {
      parseWorkflow(json, WITH_6_14).with({ ...VALUES, 5: 65 });
    } catch (e) {
      atWith = e;
    }
    expect(isInputValueError(error)).toBe(true);
    expect(error).toMatchObject({ index: 5, label: 'Width', kind: 'integer', value: 65 });
    expect(error.message).toBe((atWith as Error).message);
    expect(client.batches).toHaveLength(0);
  });
});
