import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvokeAIClient, WorkflowDefinition, WorkflowField, isNoSubmissionError } from '../../src/pythonStyle/index.js';
import { DEFAULT_MODELS, type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  InputIndexError,
  isModelNotFoundError,
  isQueueItemCanceledError,
  isQueueItemFailedError,
  isRunTimeoutError,
} from '../../src/errors/index.js';
import { WITH_6_14 } from '../support/fieldTable.js';

const openapi = JSON.parse(readFileSync('test/fixtures/openapi/invokeai-6.14.0-alpha.openapi.json', 'utf8')) as {
  components: { schemas: Record<string, { properties: Record<string, { minimum?: number; multipleOf?: number }> }> };
};
const baseJson = () => JSON.parse(readFileSync('data/workflows/sdxl_base.json', 'utf8')) as Record<string, any>;

/** A client that is never contacted (the offline tests do not touch the network). */
const offline = () => InvokeAIClient.fromUrl('http://127.0.0.1:9', { socketFactory: null });
/** Offline handles use InvokeAI 6.14's table explicitly; handles on a server bind the server's own at submission. */
const loadBase = (client?: InvokeAIClient) =>
  client
    ? client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_base.json'))
    : offline().workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_base.json', WITH_6_14));

describe('WorkflowHandle inputs (offline)', () => {
  it('lists the form inputs of sdxl_base.json as data/README.md tables them', () => {
    const wf = loadBase();
    const rows = wf.listInputs().map((i) => [i.inputIndex, i.label, i.nodeType, i.fieldName, i.kind]);
    expect(rows).toEqual([
      [0, 'Positive Prompt', 'string', 'value', 'string'],
      [1, 'Negative Prompt', 'string', 'value', 'string'],
      [2, 'Seed', 'noise', 'seed', 'integer'],
      [3, 'Steps', 'denoise_latents', 'steps', 'integer'],
      [4, 'CFG Scale', 'denoise_latents', 'cfg_scale', 'float'],
      [5, 'Width', 'noise', 'width', 'integer'],
      [6, 'Height', 'noise', 'height', 'integer'],
      [7, 'Board', 'l2i', 'board', 'board'],
      [8, 'Model', 'sdxl_model_loader', 'model', 'model'],
    ]);
    const inp = wf.getInput(2);
    expect(inp.field).toBe(wf.getInputValue(2));
    expect(inp.field.value).toBe(1234567890);
    expect(wf.listOutputs().map((o) => o.inputIndex)).toEqual([7]);
  });

  it('validates values on assignment, naming index, label, kind and what is allowed', () => {
    const wf = loadBase();
    const seedMin = openapi.components.schemas.NoiseInvocation!.properties.seed!.minimum!;
    const widthStep = openapi.components.schemas.NoiseInvocation!.properties.width!.multipleOf!;

    expect(() => {
      wf.getInputValue(2).value = seedMin - 1;
    }).toThrow(
      expect.objectContaining({
        name: 'InputValueError',
        index: 2,
        label: 'Seed',
        kind: 'integer',
        value: seedMin - 1,
        allowed: expect.stringContaining(`>= ${seedMin}`),
        message: expect.stringContaining('Input 2 ("Seed", integer)'),
      }),
    );

    expect(() => {
      wf.getInputValue(5).value = widthStep * 100 + 1;
    }).toThrow(expect.objectContaining({ index: 5, label: 'Width', kind: 'integer', allowed: expect.stringContaining(`a multiple of ${widthStep}`) }));

    for (const [index, bad] of [
      [3, 4.5],
      [3, '30'],
      [4, 'high'],
      [0, 42],
      [7, 42],
      [8, { name: 'not a model identifier' }],
      [8, ''],
    ] as const) {
      const before = wf.getInputValue(index).value;
      expect(() => {
        wf.getInputValue(index).value = bad;
      }, `input ${index} = ${JSON.stringify(bad)}`).toThrow(expect.objectContaining({ name: 'InputValueError', index }));
      // A rejected value leaves the input as it was.
      expect(wf.getInputValue(index).value).toEqual(before);
    }

    // Accepted values read back as written.
    wf.getInputValue(2).value = 42;
    wf.getInputValue(4).value = 7;
    wf.getInputValue(7).value = 'base_stage';
    expect([wf.getInputValue(2).value, wf.getInputValue(4).value, wf.getInputValue(7).value]).toEqual([42, 7, 'base_stage']);
    expect(wf.workflow.input(7).value).toEqual({ board_id: 'base_stage' });
    // The definition's workflow never changes.
    expect(wf.definition.workflow.input(2).value).toBe(1234567890);

    expect(() => wf.getInputValue(9)).toThrow(InputIndexError);
    expect(() => wf.setInputValue(-1, 'x')).toThrow(InputIndexError);
  });

  it('copies another field with setInputValue, and reads image inputs back as names', () => {
    const wf = loadBase();
    wf.setInputValue(1, wf.getInputValue(0));
    expect(wf.getInputValue(1).value).toBe(wf.getInputValue(0).value);
    expect(wf.getInputValue(0)).toBeInstanceOf(WorkflowField);

    const refiner = offline().workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_refiner.json', WITH_6_14));
    expect(refiner.getInputValue(0).value).toBeUndefined();
    refiner.getInputValue(0).value = 'abc.png';
    expect(refiner.getInputValue(0).value).toBe('abc.png');
    expect(refiner.workflow.input(0).value).toEqual({ image_name: 'abc.png' });
  });

  it('previews inputs with long strings shortened to 60 characters', () => {
    const wf = loadBase();
    wf.getInputValue(0).value = 'x'.repeat(61);
    wf.getInputValue(1).value = 'y'.repeat(60);
    const [p0, p1, p2] = wf.preview();
    expect(p0).toEqual({ index: 0, label: 'Positive Prompt', type: 'string', value: `${'x'.repeat(57)}...` });
    expect(p1!.value).toBe('y'.repeat(60));
    expect(p2).toEqual({ index: 2, label: 'Seed', type: 'integer', value: 1234567890 });
  });

  it('exports an index map and reports drift after a GUI edit moves fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'invokeai-rx-compat-'));
    try {
      const path = join(dir, 'sdxl_base.inputs.json');
      const map = loadBase().exportInputIndexMap(path);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(map);

      // The same workflow after a GUI edit that moved the Seed field to the end of the form.
      const edited = baseJson();
      const elements = edited.form.elements as Record<string, { id: string; type: string; parentId?: string; data?: any }>;
      const seedElement = Object.values(elements).find((e) => e.type === 'node-field' && e.data.fieldIdentifier.fieldName === 'seed')!;
      const container = elements[seedElement.parentId!]!;
      const root = elements[edited.form.rootElementId]!;
      container.data.children = container.data.children.filter((c: string) => c !== seedElement.id);
      root.data.children = [...root.data.children, seedElement.id];
      seedElement.parentId = root.id;
      const moved = offline().workflowRepo.createWorkflow(WorkflowDefinition.fromJson(edited, 'edited.json', WITH_6_14));

      expect(moved.getInput(8).label).toBe('Seed');
      const drift = moved.verifyInputIndexMap(path);
      expect(drift.moved).toContainEqual(expect.objectContaining({ from: 2, to: 8, label: 'Seed', fieldName: 'seed' }));
      expect(drift.moved).toContainEqual(expect.objectContaining({ from: 3, to: 2, fieldName: 'steps' }));
      expect(drift.missing).toEqual([]);
      expect(drift.unchanged.map((u) => u.index)).toEqual([0, 1]);
      expect(loadBase().verifyInputIndexMap(map).moved).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('createWorkflow rejects node types the field table does not know, unless validate is false', () => {
    const json = baseJson();
    const l2i = json.nodes.find((n: any) => n.data?.type === 'l2i');
    l2i.data.type = 'canny_image_processor';
    const def = WorkflowDefinition.fromJson(json, undefined, WITH_6_14);
    expect(() => offline().workflowRepo.createWorkflow(def)).toThrow(
      expect.objectContaining({ name: 'UnknownNodeTypeError', nodeId: l2i.id, nodeType: 'canny_image_processor' }),
    );
    expect(offline().workflowRepo.createWorkflow(def, { validate: false }).listInputs()).toHaveLength(9);
  });

  it('rejects wait and cancel before anything was submitted', async () => {
    const wf = loadBase();
    await expect(wf.waitForCompletionSync()).rejects.toSatisfy(isNoSubmissionError);
    await expect(wf.waitForCompletionSync({ batch_id: 'b', item_ids: [1], enqueued: 1 })).rejects.toMatchObject({
      name: 'NoSubmissionError',
      batch_id: 'b',
    });
    await expect(wf.cancel()).rejects.toSatisfy(isNoSubmissionError);
  });
});

describe('WorkflowHandle against the emulator', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  const installed = (name: string) => {
    const m = DEFAULT_MODELS.find((x) => x.name === name)!;
    return { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type };
  };
  const small = (wf: ReturnType<typeof loadBase>) => {
    wf.getInputValue(5).value = 64;
    wf.getInputValue(6).value = 64;
    return wf;
  };

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    client = InvokeAIClient.fromUrl(emu.url);
  });
  afterEach(() => emu.faults.clear());
  afterAll(async () => {
    client?.close();
    await emu?.close();
  });

  it('syncDnnModel rebinds the workflow’s models to the server’s', async () => {
    const wf = loadBase(client);
    const fileModel = wf.getInputValue(8).value as { key: string; name: string };
    const changes = await wf.syncDnnModel({ byName: true, byBase: true });
    const juggernaut = installed('juggernautXL_v9Rundiffusionphoto2');
    expect(fileModel.name).toBe(juggernaut.name);
    expect(wf.getInputValue(8).value).toEqual(juggernaut);
    expect(changes.map((c) => [c.inputIndex, c.to.key])).toEqual(fileModel.key === juggernaut.key ? [] : [[8, juggernaut.key]]);
  });

  it('syncDnnModel keeps a model the script set (the Python client resets it)', async () => {
    const wf = small(loadBase(client));
    const chosen = installed('sdxlUnstableDiffusers_v9DIVINITYMACHINE');
    wf.getInputValue(8).value = chosen;
    const changes = await wf.syncDnnModel({ byName: true, byBase: true });
    expect(changes).toEqual([]);
    expect(wf.getInputValue(8).value).toEqual(chosen);

    await wf.submitSync();
    const item = await wf.waitForCompletionSync({ timeout: 60 });
    const loader = Object.values(item.session.graph!.nodes as Record<string, any>).find((n) => n.type === 'sdxl_model_loader');
    expect(loader.model).toMatchObject({ key: chosen.key, name: chosen.name });
  });

  it('resolves a model input set to a model name, and rejects an unknown name', async () => {
    const wf = small(loadBase(client));
    wf.getInputValue(8).value = 'sdxlUnstableDiffusers_v11Rundiffusion';
    expect(wf.getInputValue(8).value).toBe('sdxlUnstableDiffusers_v11Rundiffusion');
    await wf.syncDnnModel();
    expect(wf.getInputValue(8).value).toEqual(installed('sdxlUnstableDiffusers_v11Rundiffusion'));

    wf.getInputValue(8).value = 'no-such-model';
    await expect(wf.syncDnnModel()).rejects.toSatisfy(
      (e: unknown) => isModelNotFoundError(e) && e.index === 8 && e.wanted.name === 'no-such-model',
    );
    // A submission resolves names too, and fails the same way before anything is queued.
    const queued = emu.queue.items().length;
    await expect(wf.submitSync()).rejects.toSatisfy(isModelNotFoundError);
    expect(emu.queue.items().length).toBe(queued);
  });

  it('a submission waits for a sync the script did not await', async () => {
    const wf = small(loadBase(client));
    void wf.syncDnnModel({ byName: true });
    await wf.submitSync();
    const item = await wf.waitForCompletionSync({ timeout: 60 });
    const loader = Object.values(item.session.graph!.nodes as Record<string, any>).find((n) => n.type === 'sdxl_model_loader');
    expect(loader.model.key).toBe(installed('juggernautXL_v9Rundiffusionphoto2').key);
  });

  it('never misses a job that finished before waitForCompletionSync was called', async () => {
    const wf = small(loadBase(client));
    await wf.syncDnnModel();
    // Polls are pushed out of reach: while the socket is up, only the events the run subscribed
    // to before enqueueing can tell it that the job ended.
    const { item_ids } = await wf.submitSync({ pollInterval: 600_000, pollIntervalWithoutSocket: 600_000 });
    await vi.waitFor(() => expect(emu.queue.get(item_ids[0]!)?.status).toBe('completed'), { timeout: 20_000, interval: 10 });
    const item = await wf.waitForCompletionSync({ timeout: 30 });
    expect(item).toMatchObject({ item_id: item_ids[0], status: 'completed' });
    expect(wf.mapOutputsToImages(item)[0]!.imageNames).toHaveLength(1);
    // Waiting again (or for that submission) gives the same item.
    expect((await wf.waitForCompletionSync()).item_id).toBe(item_ids[0]);
  });

  it('a failed node rejects with the server’s error_type, error_message and error_traceback', async () => {
    const wf = small(loadBase(client));
    await wf.syncDnnModel();
    emu.faults.failNode('l2i', { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const { item_ids } = await wf.submitSync();
    const error = await wf.waitForCompletionSync({ timeout: 60 }).then(
      () => expect.fail('expected the wait to reject'),
      (e: unknown) => e,
    );
    expect(isQueueItemFailedError(error)).toBe(true);
    const l2i = wf.workflow.json.nodes.find((n) => n.type === 'invocation' && n.data.type === 'l2i')!;
    expect(error).toMatchObject({
      item_id: item_ids[0],
      error_type: 'OutOfMemoryError',
      error_message: 'CUDA out of memory. Tried to allocate 2.00 GiB',
      node_id: l2i.id,
    });
    expect((error as { error_traceback: string }).error_traceback).toContain('OutOfMemoryError: CUDA out of memory');
    expect((error as Error).message).not.toContain('Unknown error');
    expect(emu.queue.get(item_ids[0]!)?.status).toBe('failed');
  });

  it('a timeout cancels the item on the server with PUT, then rejects with RunTimeoutError', async () => {
    const wf = small(loadBase(client));
    await wf.syncDnnModel();
    emu.faults.stallNode('denoise_latents', { forever: true });
    const { item_ids } = await wf.submitSync();
    emu.stats.resetStats();
    const error = await wf.waitForCompletionSync({ timeout: 0.5 }).then(
      () => expect.fail('expected the wait to reject'),
      (e: unknown) => e,
    );
    expect(isRunTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'total', timeout: 500, item_id: item_ids[0] });
    expect((error as Error).message).toContain('waitForCompletionSync timed out after 0.5 s');
    expect(emu.queue.get(item_ids[0]!)?.status).toBe('canceled');
    expect(emu.stats.requestCount('PUT', '/api/v1/queue/{queue_id}/i/{item_id}/cancel')).toBe(1);
    expect(emu.stats.requestCount('DELETE')).toBe(0);
    // The run is over: waiting again reports the same timeout at once.
    await expect(wf.waitForCompletionSync()).rejects.toBe(error);
  });

  it('cancel() cancels with PUT and the wait rejects with QueueItemCanceledError', async () => {
    const wf = small(loadBase(client));
    await wf.syncDnnModel();
    emu.faults.stallNode('denoise_latents', { forever: true });
    const submission = await wf.submitSync();
    emu.stats.resetStats();
    await wf.cancel();
    expect(emu.stats.requestCount('PUT', '/api/v1/queue/{queue_id}/i/{item_id}/cancel')).toBe(1);
    await expect(wf.waitForCompletionSync(submission, { timeout: 60 })).rejects.toSatisfy(isQueueItemCanceledError);
    expect(emu.queue.get(submission.item_ids[0]!)?.status).toBe('canceled');
  });

  it('each submission runs the inputs it was made with, and is waited for by its own result', async () => {
    const wf = small(loadBase(client));
    await wf.syncDnnModel();
    const seedOf = (item: { session: { graph?: { nodes?: unknown } | null } }) =>
      Object.values(item.session.graph!.nodes as Record<string, any>).find((n) => n.type === 'noise').seed;
    // A board name makes the submission look the board up before enqueueing: inputs set
    // meanwhile belong to the next submission, not this one.
    wf.getInputValue(7).value = 'concurrent_stage';
    wf.getInputValue(2).value = 11;
    const first = wf.submitSync();
    wf.getInputValue(2).value = 22;
    const second = wf.submitSync();
    const [a, b] = await Promise.all([first, second]);
    const [itemA, itemB] = await Promise.all([wf.waitForCompletionSync(a), wf.waitForCompletionSync(b)]);
    expect([itemA.item_id, itemB.item_id]).toEqual([a.item_ids[0], b.item_ids[0]]);
    expect([seedOf(itemA), seedOf(itemB)]).toEqual([11, 22]);
    // Without an argument the wait is for the latest submission.
    expect((await wf.waitForCompletionSync()).item_id).toBe(itemB.item_id);
    const boards = await client.boardRepo.listBoards();
    expect(boards.filter((x) => x.board_name === 'concurrent_stage')).toHaveLength(1);
  });

  it('submit() is the reactive run: enqueued first, completed last', async () => {
    const wf = small(loadBase(client));
    await wf.syncDnnModel();
    wf.getInputValue(2).value = 7;
    const events = await lastValueFrom(wf.submit().pipe(toArray()));
    expect(events[0]!.type).toBe('enqueued');
    const last = events.at(-1)!;
    expect(last.type).toBe('completed');
    if (last.type !== 'completed') return;
    expect(wf.mapOutputsToImages(last.result)).toEqual(wf.mapOutputsToImages(last.result.item));
    const noise = Object.values(last.result.item.session.graph!.nodes as Record<string, any>).find((n) => n.type === 'noise');
    expect(noise.seed).toBe(7);
  });

  it('checkServer compares the workflow with the server’s own OpenAPI schemas', async () => {
    const report = await loadBase(client).checkServer();
    expect(report).toEqual({ ok: true, missingNodeTypes: [], missingFields: [] });
  });
});
