import { from, lastValueFrom, mergeMap, tap, toArray, defer } from 'rxjs';
import { startEmulator } from '../../src/emulator/index.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import { fastClient, tinyWorkflows } from './support.js';
const emu = await startEmulator();
const client = fastClient(emu);
const w = tinyWorkflows();
const T0 = performance.now();
const now = () => performance.now() - T0;
const S: Record<number, Record<string, number>> = {};
emu.onEvent((e) => { if (e.event === 'queue_item_status_changed') { const p = e.payload as any; (S[p.item_id] ??= {})['srv_' + p.status] = now(); } });
const N = Number(process.argv[2] ?? 200), C = Number(process.argv[3] ?? 16);
const t0 = now();
await lastValueFrom(from(Array.from({ length: N }, (_, i) => i)).pipe(mergeMap((i) => {
  const start = now(); let id = -1;
  return runWorkflow(client, w.base.with({ 0: 'p' + i }), { queuePosition: process.argv[4] !== 'nopos' }).pipe(tap((e) => {
    if (e.type === 'enqueued') { id = e.item_ids[0]!; (S[id] ??= {}).start = start; S[id].enq = now(); }
    if (e.type === 'completed') S[id].done = now();
  }));
}, C), toArray()));
const dt = now() - t0;
const ids = Object.keys(S).map(Number);
const avg = (f: (s: Record<string, number>) => number) => ids.reduce((a, id) => a + f(S[id]), 0) / ids.length;
console.log({ N, C, dt, perS: N / dt * 1000,
  startToEnq: avg(s => s.enq - s.start), enqToStart: avg(s => s.srv_in_progress - s.enq), run: avg(s => s.srv_completed - s.srv_in_progress), doneLag: avg(s => s.done - s.srv_completed) });
client.close(); await emu.close();
