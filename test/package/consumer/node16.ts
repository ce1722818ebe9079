// A CommonJS consumer (module node16 in a package without "type"). The package test compiles it
// and runs it with `node --no-experimental-require-module`, as Node 20 before 20.19 would.
import { lastValueFrom, of, tap } from 'rxjs';
import { InvokeAIClient, loadBundledWorkflow, loadWorkflowFile } from 'invokeai-rx';
import { startEmulator } from 'invokeai-rx/emulator';
import { generateBase, refine, upscale, type StageOutput } from 'invokeai-rx/operators';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== 0x89504e47 || view.getUint32(12) !== 0x49484452) throw new Error('not a PNG');
  return [view.getUint32(16), view.getUint32(20)];
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, timing: { msPerStep: 0 } });
  const client = InvokeAIClient.fromUrl(emulator.url);
  try {
    const results: StageOutput[] = []; // each stage's result, in order
    const keep = tap((r: StageOutput) => {
      results.push(r);
    });
    await lastValueFrom(
      of('a lighthouse at dusk').pipe(
        generateBase(client, { workflow: loadBundledWorkflow('sdxl_base'), params: { width: 128, height: 96, steps: 2 } }),
        keep,
        refine(client, { workflow: loadWorkflowFile(require.resolve('invokeai-rx/data/workflows/sdxl_refiner.json')), params: { strength: 0.3, steps: 2 } }),
        keep,
        upscale(client, { workflow: loadBundledWorkflow('esrgan_upscale'), params: { scale: 2 } }),
        keep,
      ),
    );
    const stages = [];
    for (const r of results) stages.push({ stage: r.stage, ok: r.ok, size: pngSize(await lastValueFrom(client.images.download(r.imageName))) });
    console.log(`RESULT ${JSON.stringify(stages)}`);
  } finally {
    client.close();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
