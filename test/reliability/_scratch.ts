import { from, lastValueFrom, toArray } from 'rxjs';
import { startEmulator } from '../../src/emulator/index.js';
import { streamingPipeline } from '../../operators/index.js';
import { fastClient, tinyWorkflows, TINY_BASE_BINDING, TINY_IMAGE_BINDING } from './support.js';
const N = Number(process.argv[2] ?? 100), C = Number(process.argv[3] ?? 16);
const emu = await startEmulator();
const client = fastClient(emu);
const w = tinyWorkflows();
console.log(w.base.inputs.map(i=>[i.index,i.label,i.kind]), w.refine.inputs.map(i=>[i.index,i.label,i.kind]));
const T: Record<number, Record<string, number>> = {}; const t0 = performance.now();
emu.onEvent((e) => { if (e.event === "queue_item_status_changed") { const p = e.payload as any; (T[p.item_id] ??= {})[p.status] = performance.now() - t0; } });
const out = await lastValueFrom(from(Array.from({length:N},(_, i)=>`p${i}`)).pipe(streamingPipeline(client, {
  base: { workflow: w.base, binding: TINY_BASE_BINDING, syncModels: false },
  refiner: { workflow: w.refine, binding: TINY_IMAGE_BINDING, syncModels: false },
  upscaler: { workflow: w.upscale, binding: TINY_IMAGE_BINDING, syncModels: false },
}, { concurrency: C }), toArray()));
const dt = performance.now()-t0;
console.log(out.length, dt, out.length/dt*1000, emu.images.imageNames().length, emu.stats.byRoute());
const ids = Object.keys(T).map(Number).sort((a,b)=>a-b); let wait=0, run=0; for (const id of ids) { wait += T[id].in_progress - T[id].pending; run += T[id].completed - T[id].in_progress; } console.log("avg wait", wait/ids.length, "avg run", run/ids.length, "busy", emu.queue.busyFraction);
client.close(); await emu.close();
