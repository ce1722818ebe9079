import { filter, from, lastValueFrom, mergeMap, toArray } from 'rxjs';
import { it } from 'vitest';
import { pool } from '../../operators/pool.js';
import { quickClient, resizeBatch, startEmulators } from './support.js';
it('dbg', async () => {
  const emulators = await startEmulators(2, { msPerNode: 30 });
  for (const [i, e] of emulators.entries()) e.onEvent((ev) => console.log(i, performance.now().toFixed(0), ev.event, ev.payload.status ?? '', ev.payload.item_id ?? ''));
  const p = pool(emulators.map((e) => quickClient(e.url)), { perServer: 2 });
  p.health$.subscribe((h) => console.log('H', h.map((s) => `${s.status}/${s.inFlight}`).join(' ')));
  await lastValueFrom(from([0,1,2,3]).pipe(mergeMap((i) => p.run(null, resizeBatch(), {})), toArray()));
  p.close();
});
