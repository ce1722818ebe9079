import { lastValueFrom } from 'rxjs';
import { startEmulator } from '../../src/emulator/index.js';
import { fastClient } from './support.js';
const emu = await startEmulator();
const client = fastClient(emu);
for (let k = 0; k < 3; k++) {
  let t = performance.now();
  for (let i = 0; i < 20; i++) await lastValueFrom(client.queue.getStatus());
  console.log('GET status', (performance.now() - t) / 20);
  t = performance.now();
  for (let i = 0; i < 20; i++) await lastValueFrom(client.images.deleteMany(['x.png']));
  console.log('POST delete', (performance.now() - t) / 20);
  t = performance.now();
  for (let i = 0; i < 20; i++) await lastValueFrom(client.queue.getItems([1]));
  console.log('POST items_by_ids', (performance.now() - t) / 20);
}
client.close(); await emu.close();
