// A consumer whose bundler resolves the package (moduleResolution bundler): type-checked only.
import { lastValueFrom, of, tap } from 'rxjs';
import { InvokeAIClient, bundledWorkflowPath, loadBundledWorkflow, loadWorkflowFile, type BundledWorkflowName } from 'invokeai-rx';
import { startEmulator, type Emulator } from 'invokeai-rx/emulator';
import { generateBase, refine, upscale, type StageOutput } from 'invokeai-rx/operators';

export async function threeStages(prompt: string): Promise<Array<{ stage: string; imageName: string }>> {
  const emulator: Emulator = await startEmulator({ port: 0, timing: { msPerStep: 0 } });
  const client = InvokeAIClient.fromUrl(emulator.url);
  const refiner: BundledWorkflowName = 'sdxl_refiner';
  try {
    const results: StageOutput[] = []; // each stage's result, in order
    const keep = tap((r: StageOutput) => {
      results.push(r);
    });
    await lastValueFrom(
      of(prompt).pipe(
        generateBase(client, { workflow: loadBundledWorkflow('sdxl_base'), params: { width: 128, height: 96, steps: 2 } }),
        keep,
        refine(client, { workflow: loadWorkflowFile(bundledWorkflowPath(refiner)), params: { strength: 0.3, steps: 2 } }),
        keep,
        upscale(client, { workflow: loadBundledWorkflow('esrgan_upscale'), params: { scale: 2 } }),
        keep,
      ),
    );
    return results.map((r) => ({ stage: r.stage, imageName: r.imageName }));
  } finally {
    client.close();
    await emulator.close();
  }
}
