import { lastValueFrom, tap } from 'rxjs';
import { startEmulator } from '../../src/emulator/index.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import { fastClient, tinyWorkflows } from './support.js';
const emu = await startEmulator();
const client = fastClient(emu, { socketFactory: process.argv[2] === 'nosock' ? null : undefined });
const w = tinyWorkflows();
const t0 = performance.now();
const log = (s: string) => console.log((performance.now() - t0).toFixed(1), s);
emu.onEvent((e) => { if (e.event === 'queue_item_status_changed') log(`server ${(e.payload as any).item_id} ${(e.payload as any).status}`); });
client.events.on('queue_item_status_changed').subscribe((e) => log(`client-sock ${e.item_id} ${e.status}`));
const f = globalThis.fetch;
for (let i = 0; i < 4; i++) {
  log('run start');
  await lastValueFrom(runWorkflow(client, w.base.with({ 0: 'p' + i })).pipe(tap((e) => log('event ' + e.type))));
}
client.close(); await emu.close();
