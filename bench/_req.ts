import { lastValueFrom } from 'rxjs';
import { startEmulatorThread } from './support/emulatorThread.js';
import { createInvokeAIClient } from '../src/client/index.js';
import { performance } from 'node:perf_hooks';
const emu = await startEmulatorThread({ executor: 'zero-cost' });
const client = createInvokeAIClient({ baseUrl: emu.url });
async function measure(name: string, n: number, f: () => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await f();
  const elu0 = performance.eventLoopUtilization(); const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  const dt = performance.now() - t0; const elu = performance.eventLoopUtilization(elu0);
  console.log(name, 'ms/req', (dt / n).toFixed(3), 'busy ms/req', (elu.active / n).toFixed(3));
}
await measure('request$ getStatus', 500, () => lastValueFrom(client.queue.getStatus()));
await measure('raw fetch status', 500, () => fetch(`${emu.url}/api/v1/queue/default/status`).then((r) => r.json()));
const cf = (await import('cross-fetch')).default;
await measure('cross-fetch status', 500, () => cf(`${emu.url}/api/v1/queue/default/status`).then((r) => r.json()));
import('node:http').then(async (http) => {
  const agent = new http.Agent({ keepAlive: true });
  const u = new URL(`${emu.url}/api/v1/queue/default/status`);
  await measure('raw http keepalive', 500, () => new Promise((res, rej) => { http.get({ hostname: u.hostname, port: u.port, path: u.pathname, agent }, (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => res(JSON.parse(b))); }).on('error', rej); }));
  console.log('globalAgent keepAlive', (http.globalAgent as any).keepAlive, (http.globalAgent as any).options);
  client.close(); await emu.close();
});
