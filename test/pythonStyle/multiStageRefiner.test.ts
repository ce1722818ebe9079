import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { InvokeAIClient, WorkflowDefinition, type WorkflowHandle } from '../../src/pythonStyle/index.js';
import { DEFAULT_MODELS, type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { KnownQueueItemStatus, SessionQueueItem } from '../../src/schemas/queue.js';

/**
 * The guide's `MultiStageRefiner`, transcribed from Python (camelCase, keyword arguments as an
 * options object, `await` for blocking calls). Two lines of the guide are wrong in Python too and
 * are fixed here, each marked FIX:
 * - `result['status'] == 'COMPLETED'`: queue statuses are lowercase (TypeScript rejects the comparison);
 * - `return images[0], result`: `images[0]` is an output mapping, the image name is `imageNames[0]`.
 */
class MultiStageRefiner {
  baseWf!: WorkflowHandle;
  refinerWf!: WorkflowHandle;
  upscaleWf!: WorkflowHandle;

  private constructor(readonly client: InvokeAIClient) {}

  /** `__init__` + `setup_workflows` (a constructor cannot await). */
  static async create(client: InvokeAIClient): Promise<MultiStageRefiner> {
    const refiner = new MultiStageRefiner(client);
    await refiner.setupWorkflows();
    return refiner;
  }

  async setupWorkflows(): Promise<void> {
    // Base generation
    this.baseWf = this.client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_base.json'));
    await this.baseWf.syncDnnModel({ byName: true, byBase: true });

    // Refinement stage
    this.refinerWf = this.client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_refiner.json'));
    await this.refinerWf.syncDnnModel({ byName: true, byBase: true });

    // Upscaling stage
    this.upscaleWf = this.client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/esrgan_upscale.json'));
  }

  async generateBase({
    prompt,
    negativePrompt = '',
    seed = -1,
    steps = 30,
    cfgScale = 7.0,
    width = 1024,
    height = 1024,
  }: {
    prompt: string;
    negativePrompt?: string;
    seed?: number;
    steps?: number;
    cfgScale?: number;
    width?: number;
    height?: number;
  }): Promise<[string | null, SessionQueueItem]> {
    // Set parameters
    this.baseWf.getInputValue(0).value = prompt;
    this.baseWf.getInputValue(1).value = negativePrompt;
    this.baseWf.getInputValue(2).value = seed;
    this.baseWf.getInputValue(3).value = steps;
    this.baseWf.getInputValue(4).value = cfgScale;
    this.baseWf.getInputValue(5).value = width;
    this.baseWf.getInputValue(6).value = height;
    this.baseWf.getInputValue(7).value = 'base_stage'; // board

    // Generate
    const submission = await this.baseWf.submitSync();
    const result = await this.baseWf.waitForCompletionSync(submission);

    if (result.status === 'completed') {
      const images = this.baseWf.mapOutputsToImages(result);
      if (images.length) return [images[0]!.imageNames[0]!, result]; // FIX: imageNames[0]
    }
    return [null, result];
  }

  async refineImage({
    baseImage,
    prompt,
    negativePrompt = '',
    refinerSteps = 15,
    refinerStrength = 0.3,
    cfgScale = 7.0,
  }: {
    baseImage: string;
    prompt: string;
    negativePrompt?: string;
    refinerSteps?: number;
    refinerStrength?: number;
    cfgScale?: number;
  }): Promise<[string | null, SessionQueueItem]> {
    // Set parameters
    this.refinerWf.getInputValue(0).value = baseImage;
    this.refinerWf.getInputValue(1).value = prompt;
    this.refinerWf.getInputValue(2).value = negativePrompt;
    this.refinerWf.getInputValue(3).value = refinerSteps;
    this.refinerWf.getInputValue(4).value = refinerStrength;
    this.refinerWf.getInputValue(5).value = cfgScale;
    this.refinerWf.getInputValue(6).value = 'refined_stage';

    // Refine
    const submission = await this.refinerWf.submitSync();
    const result = await this.refinerWf.waitForCompletionSync(submission);

    if (result.status === 'completed') {
      const images = this.refinerWf.mapOutputsToImages(result);
      if (images.length) return [images[0]!.imageNames[0]!, result];
    }
    return [null, result];
  }

  async upscaleImage({
    image,
    scale = 2,
    model = 'RealESRGAN_x4plus',
  }: {
    image: string;
    scale?: number;
    model?: string;
  }): Promise<[string | null, SessionQueueItem]> {
    // Set parameters
    this.upscaleWf.getInputValue(0).value = image;
    this.upscaleWf.getInputValue(1).value = scale;
    this.upscaleWf.getInputValue(2).value = model;
    this.upscaleWf.getInputValue(3).value = 'upscaled_stage';

    // Upscale
    const submission = await this.upscaleWf.submitSync();
    const result = await this.upscaleWf.waitForCompletionSync(submission);

    if (result.status === 'completed') {
      const images = this.upscaleWf.mapOutputsToImages(result);
      if (images.length) return [images[0]!.imageNames[0]!, result];
    }
    return [null, result];
  }
}

describe('seed MultiStageRefiner: generate_base → refine_image → upscale_image', () => {
  let emu: Emulator;
  let client: InvokeAIClient;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    client = InvokeAIClient.fromUrl(emu.url);
  });
  afterAll(async () => {
    client?.close();
    await emu?.close();
  });

  it('runs the three stages, routes each image to its named board and downloads it', async () => {
    const refiner = await MultiStageRefiner.create(client);
    const prompt = 'A majestic castle on a mountain, fantasy art, highly detailed';

    // Small images keep the in-process emulator fast; the stages are the guide's.
    const [baseImage, baseResult] = await refiner.generateBase({
      prompt,
      negativePrompt: 'blurry, low quality',
      seed: 42,
      steps: 30,
      width: 256,
      height: 192,
    });
    expect(baseImage).not.toBeNull();
    const [refined, refineResult] = await refiner.refineImage({ baseImage: baseImage!, prompt, refinerSteps: 15 });
    expect(refined).not.toBeNull();
    const [upscaled, upscaleResult] = await refiner.upscaleImage({ image: refined!, scale: 2 });
    expect(upscaled).not.toBeNull();
    expect(new Set([baseImage, refined, upscaled]).size).toBe(3);

    // The guide's "Save results" loop: one board per stage, looked up by name.
    const results: Record<string, string> = { base: baseImage!, refined: refined!, upscaled: upscaled! };
    const sizes: Record<string, [number, number]> = {};
    for (const [stage, imageName] of Object.entries(results)) {
      const board = await client.boardRepo.getBoardHandle(`${stage}_stage`);
      const imageData = await board.downloadImage(imageName, { fullResolution: true });

      expect(board.boardName).toBe(`${stage}_stage`);
      expect(await board.listImages()).toContain(imageName);
      const png = decode(imageData);
      sizes[stage] = [png.width, png.height];
    }
    expect(sizes).toEqual({ base: [256, 192], refined: [256, 192], upscaled: [512, 384] });

    // The board names became real boards, and the graphs the server ran point at them.
    const boards = await client.boardRepo.listBoards();
    const idOf = (name: string) => boards.find((b) => b.board_name === name)!.board_id;
    const boardOf = (item: SessionQueueItem, type: string) =>
      Object.values(item.session.graph!.nodes as Record<string, { type: string; board?: { board_id: string } }>).find((n) => n.type === type)!
        .board;
    expect(boardOf(baseResult, 'l2i')).toEqual({ board_id: idOf('base_stage') });
    expect(boardOf(refineResult, 'l2i')).toEqual({ board_id: idOf('refined_stage') });
    expect(boardOf(upscaleResult, 'spandrel_image_to_image_autoscale')).toEqual({ board_id: idOf('upscaled_stage') });

    // `upscale_image` sets the model input to a model *name*: the Python client silently drops it
    // (its model field has no `.value`); here it is resolved against the server's models.
    const upscaler = Object.values(upscaleResult.session.graph!.nodes as Record<string, Record<string, unknown>>).find(
      (n) => n.type === 'spandrel_image_to_image_autoscale',
    )!;
    const esrgan = DEFAULT_MODELS.find((m) => m.name === 'RealESRGAN_x4plus')!;
    expect(upscaler.image_to_image_model).toMatchObject({ key: esrgan.key, name: 'RealESRGAN_x4plus' });
    expect(upscaler.scale).toBe(2);
  });

  it('rejects the guide’s default seed of -1 at assignment (the server’s noise seed minimum is 0)', async () => {
    const refiner = await MultiStageRefiner.create(client);
    await expect(refiner.generateBase({ prompt: 'x' })).rejects.toMatchObject({ name: 'InputValueError', index: 2, label: 'Seed' });
  });

  it('types catch the guide’s status comparison against the statuses InvokeAI knows', () => {
    // The guide compares with 'COMPLETED'; queue statuses are lowercase. The item's own type stays
    // open to statuses a newer server may add, so the check is against the known set.
    expectTypeOf<'COMPLETED'>().not.toExtend<KnownQueueItemStatus>();
    expectTypeOf<'completed'>().toExtend<KnownQueueItemStatus>();
    expectTypeOf<KnownQueueItemStatus>().toExtend<SessionQueueItem['status']>();
  });
});
