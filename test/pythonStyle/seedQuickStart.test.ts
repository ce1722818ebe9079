import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeAIClient, WorkflowDefinition } from '../../src/pythonStyle/index.js';
import { DEFAULT_MODELS, type Emulator, startEmulator } from '../../src/emulator/index.js';

/**
 * The "Multi-Stage Refine" guide's Quick Start, transcribed line for line from the Python client
 * (snake_case → camelCase, keyword arguments → option objects, blocking calls → `await`), run
 * against the emulator with the workflow the guide names.
 */
describe('seed Quick Start (sdxl_with_refiner.json)', () => {
  let emu: Emulator;
  let url: string;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    url = emu.url;
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('runs as written and maps the final image', async () => {
    const printed: string[] = [];
    const print = (line: string) => printed.push(line);

    // 1) Initialize client (URL helper parses host/port/base_path)
    const client = InvokeAIClient.fromUrl(url);

    // 2) Load a multi-stage workflow (single JSON that encapsulates refine stages)
    const wf = client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_with_refiner.json'));

    // 3) Normalize model identifier fields against server inventory
    await wf.syncDnnModel({ byName: true, byBase: true });

    // 4) Set inputs by index (indices discovered via listInputs(); adjust to your Form)
    wf.getInputValue(0).value = 'Epic landscape with mountains and lakes, highly detailed';
    wf.getInputValue(1).value = 'blurry, low quality';
    wf.getInputValue(2).value = 42; // Seed
    wf.getInputValue(3).value = 30; // Base steps
    wf.getInputValue(4).value = 15; // Refiner steps
    wf.getInputValue(5).value = 0.8; // Switch point / handoff (if applicable)

    // 5) Submit and wait (blocking)
    await wf.submitSync();
    const result = await wf.waitForCompletionSync({ timeout: 240 });
    print(`Final status: ${result.status}`);

    // 6) Map outputs (node -> image filenames)
    for (const m of wf.mapOutputsToImages(result)) {
      print(`node=${m.nodeId.slice(0, 8)} board=${m.boardId} images=${JSON.stringify(m.imageNames)}`);
    }

    try {
      expect(printed[0]).toBe('Final status: completed');
      // The Python client maps only nodes whose board the form exposes, so for this workflow
      // (board not in the form) it prints no output line at all.
      expect(printed).toHaveLength(2);
      const l2i = wf.workflow.json.nodes.find((n) => n.type === 'invocation' && n.data.type === 'l2i')!;
      const [mapping] = wf.mapOutputsToImages(result);
      expect(mapping).toMatchObject({ nodeId: l2i.id, nodeType: 'l2i', boardId: 'none', inputIndex: null, isIntermediate: false });
      expect(mapping!.imageNames).toHaveLength(1);
      expect(emu.images.hasImage(mapping!.imageNames[0]!)).toBe(true);
      expect(printed[1]).toBe(`node=${l2i.id.slice(0, 8)} board=none images=${JSON.stringify(mapping!.imageNames)}`);

      // What the server ran carries the values set above, at the nodes data/README.md lists.
      const graph = result.session.graph!.nodes as Record<string, Record<string, unknown>>;
      const at = (index: number) => {
        const input = wf.getInput(index);
        return { type: input.nodeType, field: input.fieldName, value: graph[input.nodeId]![input.fieldName] };
      };
      expect(at(0)).toEqual({ type: 'string', field: 'value', value: 'Epic landscape with mountains and lakes, highly detailed' });
      expect(at(1)).toEqual({ type: 'string', field: 'value', value: 'blurry, low quality' });
      expect(at(2)).toEqual({ type: 'noise', field: 'seed', value: 42 });
      expect(at(3)).toEqual({ type: 'denoise_latents', field: 'steps', value: 30 });
      expect(at(4)).toEqual({ type: 'denoise_latents', field: 'steps', value: 15 });
      expect(at(5)).toEqual({ type: 'float', field: 'value', value: 0.8 });
      expect(wf.getInput(3).nodeId).not.toBe(wf.getInput(4).nodeId);

      // Models were rebound to the server's installation (the file's keys are illustrative).
      const installed = new Map(DEFAULT_MODELS.map((m) => [m.name, m.key]));
      const modelKeys = Object.values(graph)
        .filter((n) => n.type === 'sdxl_model_loader' || n.type === 'sdxl_refiner_model_loader')
        .map((n) => n.model as { key: string; name: string });
      expect(modelKeys).toHaveLength(2);
      for (const m of modelKeys) expect(m.key).toBe(installed.get(m.name));
    } finally {
      client.close();
    }
  });
});
