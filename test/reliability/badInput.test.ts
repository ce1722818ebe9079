import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { bindFieldTable } from '../../src/run/bindFieldTable.js';
import { TABLE_6_14 } from '../support/fieldTable.js';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { EMPTY, from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateBase, streamingPipeline, upscale } from '../../operators/index.js';
import { runMain } from '../../src/cli/commands/run.js';
import { refineCommand, refineMain } from '../../src/cli/commands/refine.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { InputValueError, isHttpError, isModelNotFoundError, isSchemaError, isUnknownNodeTypeError } from '../../src/errors/index.js';
import { runWorkflow, type RunWorkflowOptions } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import type { Workflow } from '../../src/workflow/Workflow.js';
import { fakeIo } from '../cli/fakeCliIo.js';
import { TINY_BASE, TINY_BASE_BINDING, TINY_IMAGE_BINDING, dataWorkflow, emulatorWithClient, fastClient, settle, tinyWorkflows } from './support.js';

const wf = tinyWorkflows();
const Q = '/api/v1/queue/{queue_id}';

/** A deep, mutable copy of the tiny base export, to break on purpose. */
const baseJson = () => structuredClone(wf.base.raw) as {
  nodes: { id: string; data: { type: string; inputs: Record<string, { label: string }> } }[];
  form: { rootElementId: string; elements: Record<string, unknown> };
};

describe('reliability: bad input gets a typed, actionable error', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(() => emu.stats.resetStats());

  const nothingSent = () => expect(emu.stats.requestCount('POST', `${Q}/enqueue_batch`)).toBe(0);

  it('invalid JSON: WorkflowParseError naming the source and what to do', () => {
    expect(() => parseWorkflow('{"nodes": [', { source: 'broken.json' })).toThrow(
      expect.objectContaining({ name: 'WorkflowParseError', message: expect.stringMatching(/broken\.json.*not valid JSON.*exported from the InvokeAI editor/s) }),
    );
  });

  it('JSON that is not a workflow: WorkflowParseError naming the JSON path', () => {
    const json = baseJson() as unknown as { nodes: unknown };
    json.nodes = 'not a list';
    expect(() => parseWorkflow(json, { source: 'odd.json' })).toThrow(expect.objectContaining({ name: 'WorkflowParseError', path: 'nodes' }));
  });

  it('a broken form: FormError when asked to be strict; otherwise a warning and no form inputs, and setting one says so', () => {
    const json = baseJson();
    json.form.rootElementId = 'no-such-element';
    expect(() => parseWorkflow(json, { source: 'bad-form.json', onInvalidForm: 'error' })).toThrow(
      expect.objectContaining({ name: 'FormError', message: expect.stringMatching(/bad-form\.json.*rebuild the form/s) }),
    );

    const lenient = parseWorkflow(json, { source: 'bad-form.json' });
    expect(lenient.warnings.join('\n')).toMatch(/form/i);
    expect(() => lenient.with({ 0: 'x' })).toThrow(
      expect.objectContaining({ name: 'InputIndexError', message: expect.stringMatching(/has no form inputs.*invokeai-rx inputs/s) }),
    );
  });

  it('an unknown node type: UnknownNodeTypeError naming node and type, before anything is sent', async () => {
    const json = baseJson();
    json.nodes.find((n) => n.id === 'out')!.data.type = 'canny_image_processor';
    const old = parseWorkflow(json, { source: 'old.json' });
    const outcome = await settle(lastValueFrom(runWorkflow(client, old)));
    const error = outcome.ok ? null : outcome.error;
    expect(isUnknownNodeTypeError(error) && [error.nodeId, error.nodeType]).toEqual(['out', 'canny_image_processor']);
    expect((error as Error).message).toMatch(/drop/);
    nothingSent();
  });

  it('a value of the wrong kind: InputValueError naming the input, its kind and what it accepts', async () => {
    expect(() => dataWorkflow('sdxl_base').with({ 3: 'thirty' })).toThrow(
      expect.objectContaining({
        name: 'InputValueError',
        index: 3,
        label: 'Steps',
        kind: 'integer',
        message: expect.stringMatching(/Input 3 \("Steps", integer\) cannot be set to "thirty": expected/),
      }),
    );
    // In a stage, a bad constant is refused when the operator is created, not mid-run.
    expect(() => generateBase(client, { workflow: dataWorkflow('sdxl_base'), params: { steps: 'many' as unknown as number } })).toThrow(/Steps/);
    // Out of the schema's range: at once with the table given, before enqueueing with the server's.
    expect(() => dataWorkflow('sdxl_base').withFieldTable(TABLE_6_14).with({ 3: -5 })).toThrow(InputValueError);
    const unbound = dataWorkflow('sdxl_base').with({ 3: -5 });
    await expect(lastValueFrom(bindFieldTable(client, unbound))).rejects.toMatchObject({ name: 'InputValueError', index: 3, label: 'Steps' });
    nothingSent();
  });

  it('an index out of range: InputIndexError giving the valid range', () => {
    expect(() => dataWorkflow('sdxl_base').with({ 42: 1 })).toThrow(
      expect.objectContaining({ name: 'InputIndexError', message: expect.stringMatching(/no input 42: valid indices are 0-8/) }),
    );
  });

  it('an ambiguous label: AmbiguousLabelError listing the indices to use instead', () => {
    const json = baseJson();
    // Two form fields with the same label.
    json.nodes.find((n) => n.id === 'prompt')!.data.inputs['value']!.label = 'Board';
    json.nodes.find((n) => n.id === 'out')!.data.inputs['board']!.label = 'Board';
    const twins = parseWorkflow(json, { source: 'twins.json' });
    expect(() => twins.with({ Board: 'x' })).toThrow(
      expect.objectContaining({ name: 'AmbiguousLabelError', indices: [0, 1], message: expect.stringMatching(/by its index/) }),
    );
  });

  it('an unknown model: ModelNotFoundError listing the installed candidates, before anything is enqueued', async () => {
    const [image] = await lastValueFrom(from(['m']).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }), toArray()));
    emu.stats.resetStats();
    const outcome = await settle(
      lastValueFrom(from([image!]).pipe(upscale(client, { workflow: dataWorkflow('esrgan_upscale'), params: { model: 'NoSuchUpscaler' } }))),
    );
    const error = outcome.ok ? null : outcome.error;
    expect(isModelNotFoundError(error)).toBe(true);
    expect((error as Error).message).toMatch(/NoSuchUpscaler.*installed .* models: .*RealESRGAN/s);
    nothingSent();

    // A server without the workflow's model at all: the sync reports what is missing.
    const bare = await startEmulator({ models: [] });
    const bareClient = fastClient(bare);
    try {
      const r = await settle(lastValueFrom(from(['x']).pipe(generateBase(bareClient, { workflow: dataWorkflow('sdxl_base'), params: TINY_BASE }))));
      expect(!r.ok && isModelNotFoundError(r.error) && r.error.message).toMatch(/juggernautXL.*not installed.*Install it/s);
      expect(bare.stats.requestCount('POST', `${Q}/enqueue_batch`)).toBe(0);
    } finally {
      bareClient.close();
      await bare.close();
    }
  });

  it('an unknown board: HttpError 404 with the server detail and a hint; nothing is uploaded', async () => {
    const png = await lastValueFrom(
      from(['b']).pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }),
        map((r) => r.imageName),
      ),
    ).then((name) => lastValueFrom(client.images.download(name)));
    const before = emu.images.imageNames().length;
    const outcome = await settle(lastValueFrom(client.images.upload(png, { board_id: 'no-such-board' })));
    const error = outcome.ok ? null : outcome.error;
    expect(isHttpError(error) && [error.status, error.detail]).toEqual([404, 'Board not found']);
    expect((error as Error).message).toMatch(/Check that the id or name exists/);
    expect(emu.images.imageNames().length).toBe(before);
  });

  it('an empty prompt list: the pipeline completes with nothing and sends nothing', async () => {
    const results = await lastValueFrom(
      (EMPTY as Observable<string>).pipe(
        streamingPipeline(client, {
          base: { workflow: wf.base, binding: TINY_BASE_BINDING },
          refiner: { workflow: wf.refine, binding: TINY_IMAGE_BINDING },
        }),
        toArray(),
      ),
    );
    expect(results).toEqual([]);
    expect(emu.stats.total).toBe(0);
    // The CLI refuses an empty prompt as a usage error.
    const io = fakeIo(tmpdir());
    expect(await refineCommand.run(['  '], io)).toBe(2);
    expect(io.stderr()).toMatch(/PROMPT is empty/);
  });

  it('a 1 MB prompt: sent intact and run, or refused with a typed error (here: run)', async () => {
    const prompt = 'a'.repeat(1024 * 1024);
    const [result] = await lastValueFrom(from([prompt]).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }), toArray()));
    const item = emu.queue.get(result!.item_id)!;
    expect((item.session.graph.nodes['prompt'] as unknown as { value: string }).value).toBe(prompt);
    expect(result!.lineage.prompt).toHaveLength(prompt.length);
  });

  it('a response that does not match the schema: SchemaError naming the path', async () => {
    const tampered = fastClient(emu, {
      socketFactory: null,
      fetch: async (input, init) => {
        const response = await globalThis.fetch(input, init);
        const url = String(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        if (url.endsWith('/queue/default/status')) {
          const body = (await response.json()) as { queue: Record<string, unknown> };
          body.queue['pending'] = 'lots';
          return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
        }
        if (url.endsWith('/app/version')) return new Response('<html>proxy login</html>', { status: 200, headers: { 'content-type': 'text/html' } });
        return response;
      },
    });
    const status = await settle(lastValueFrom(tampered.queue.getStatus()));
    const error = status.ok ? null : status.error;
    expect(isSchemaError(error)).toBe(true);
    expect((error as Error).message).toMatch(/GET .*\/queue\/default\/status: at queue\.pending: .*supported version/);
    const html = await settle(lastValueFrom(tampered.app.version()));
    expect(!html.ok && isSchemaError(html.error) && html.error.message).toMatch(/at \(root\): response body is not valid JSON \(starts with "<html>proxy login<\/html>"\)/);
    tampered.close();
  });
});

describe('reliability: image names from the server never choose where files go', () => {
  let emu: Emulator;
  let root: string;

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'invokeai-rx-traversal-'));
  });

  const evilNames = (token: string) => [`../../${token}-up.png`, `/tmp/${token}-abs.png`, `..\\..\\${token}-win.png`, `sub/../../${token}.png`];

  /**
   * A client for the emulator whose completed runs report hostile image names and node ids; its
   * downloads map those names back to the real images (as a compromised server would serve them).
   */
  function hostile(token: string) {
    const real = fastClient(emu);
    const aliases = new Map<string, string>();
    const unalias = (name: string) => aliases.get(name) ?? name;
    const client: InvokeAIClient = {
      ...real,
      images: {
        ...real.images,
        download: (name) => real.images.download(unalias(name)),
        deleteMany: (names) => real.images.deleteMany(names.map(unalias)),
      },
    };
    // The next stage sends the name back as its input: the hostile server understands its own names.
    const serverSide = (w: Workflow): Workflow =>
      w.withNodeValues(
        w.json.nodes.flatMap((n) =>
          n.type !== 'invocation'
            ? []
            : Object.entries(n.data.inputs)
                .filter(([, i]) => aliases.has((i.value as { image_name?: string } | undefined)?.image_name ?? ''))
                .map(([fieldName, i]) => ({ nodeId: n.id, fieldName, value: { image_name: unalias((i.value as { image_name: string }).image_name) } })),
        ),
      );
    const rename = (event: RunEvent): RunEvent => {
      if (event.type !== 'completed') return event;
      let k = 0;
      const outputs = event.result.outputs.map((o) => ({
        ...o,
        nodeId: k === 0 ? `../../${token}-node` : o.nodeId,
        imageNames: o.imageNames.map((n) => {
          const evil = evilNames(token)[k++ % 4]!;
          aliases.set(evil, n);
          return evil;
        }),
      }));
      return { ...event, result: { ...event.result, outputs, images: outputs.flatMap((o) => o.imageNames) } };
    };
    const run = (c: InvokeAIClient, w: Workflow, o?: RunWorkflowOptions) => runWorkflow(c, serverSide(w), o).pipe(map(rename));
    return { real, client, run };
  }

  async function filesUnder(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) out.push(relative(dir, resolve(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)));
    }
    return out.sort();
  }

  const escaped = (token: string) =>
    [join(root, '..', `${token}-up.png`), `/tmp/${token}-abs.png`, join(root, '..', `${token}.png`), join(root, `${token}-up.png`)].filter((p) =>
      existsSync(p),
    );

  it('CLI run: files are named by the command inside --out, whatever the server calls the images', async () => {
    const token = `t${Date.now()}`;
    const { real, client, run } = hostile(token);
    await writeFile(join(root, 'wf.json'), JSON.stringify(wf.base.raw));
    const io = fakeIo(root);
    try {
      const code = await runMain(['wf.json', '--out', 'out', '--server', emu.url], io, {
        createClient: () => client,
        runWorkflow: run,
      });
      expect(code, io.stderr()).toBe(0);
      const files = await filesUnder(root);
      expect(files.filter((f) => f !== 'wf.json').every((f) => f.startsWith(`out${sep}`) && !f.slice(4).includes(sep))).toBe(true);
      // `<node id, sanitized>-<queue item id>-<n>.png`: the hostile node id loses its `../`.
      expect(files.some((f) => new RegExp(`^out\\${sep}${token}-node-\\d+-1\\.png$`).test(f))).toBe(true);
      expect(escaped(token)).toEqual([]);
    } finally {
      real.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('CLI refine: stage images and reports stay inside --output-dir; the token is written nowhere', async () => {
    const token = `t${Date.now()}`;
    const { real, client, run } = hostile(token);
    const secret = `secret-${token}`;
    const io = fakeIo(root);
    try {
      const code = await refineMain(
        ['a fox', '--server', emu.url, '--token', secret, '--width', '64', '--height', '64', '--base-steps', '1', '--refine-steps', '1', '--upscale', '--upscale-factor', '1', '--output-dir', 'out'],
        io,
        { createClient: () => client, runWorkflow: run },
      );
      expect(code, io.stderr()).toBe(0);
      const files = await filesUnder(root);
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) expect(f.startsWith(`out${sep}`) && !f.slice(4).includes(sep), f).toBe(true);
      expect(files).toEqual(expect.arrayContaining([join('out', 'run.json'), join('out', 'base.png')]));
      expect(escaped(token)).toEqual([]);
      for (const f of files) expect((await readFile(join(root, f))).includes(secret), `${f} holds the token`).toBe(false);
      expect(io.stdout() + io.stderr()).not.toContain(secret);
    } finally {
      real.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
