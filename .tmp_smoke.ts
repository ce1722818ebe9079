import { lastValueFrom, toArray, of } from 'rxjs';
import { startEmulator } from './src/emulator/index.js';
import { InvokeAIClient } from './src/client/InvokeAIClient.js';
import { loadWorkflowFile } from './src/workflow/loadWorkflowFile.js';
import { fullPipeline } from './operators/fullPipeline.js';
import { decode } from 'fast-png';
const emu = await startEmulator();
const client = InvokeAIClient.fromUrl(emu.url);
const load = (n: string) => loadWorkflowFile(`data/workflows/${n}.json`);
try {
  const rs = await lastValueFrom(of('a fox').pipe(fullPipeline(client, {
    base: { workflow: load('sdxl_base'), params: { width: 64, height: 64, steps: 2 } },
    refiner: { workflow: load('sdxl_refiner'), onError: 'throw', params: { steps: 2 } },
    upscaler: { workflow: load('esrgan_upscale'), params: { scale: 2 } },
    faces: { workflow: load('face_restore') },
  }), toArray()));
  for (const r of rs) {
    const png = decode(await lastValueFrom(client.images.download(r.imageName)));
    console.log(r.stage, r.ok, r.imageName, png.width, png.height, r.created, r.board, r.timings);
  }
  console.log(emu.images.imageNames().length);
} catch (e) { console.error('ERR', e); }
client.close();
await emu.close();
