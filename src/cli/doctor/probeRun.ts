import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { runWorkflow, type Batch, type InvokeAIClient } from '../../index.js';
import { encodePng } from '../../image/index.js';
import type { DoctorRow } from './DoctorRow.js';

/**
 * A model-free run end to end: upload an 8×8 PNG, resize it to 4×4 on the server, follow the
 * item by its socket events, download the result, check its size, and delete both images.
 */
export async function probeRun(client: InvokeAIClient, timeoutMs: number): Promise<DoctorRow> {
  const started = performance.now();
  const created: string[] = [];
  try {
    const data = new Uint8Array(8 * 8 * 3).map((_, i) => (i * 37) % 256);
    const upload = await firstValueFrom(client.images.upload(encodePng({ width: 8, height: 8, channels: 3, data }), { is_intermediate: true, fileName: 'doctor-probe.png' }));
    created.push(upload.image_name);

    const batchId = randomUUID();
    let socketEvents = 0;
    const counting = client.events
      .on('queue_item_status_changed')
      .pipe(filter((e) => e.batch_id === batchId))
      .subscribe(() => socketEvents++);
    const batch: Batch = {
      batch_id: batchId,
      graph: {
        id: 'invokeai-rx-doctor-probe',
        nodes: {
          probe_resize: { id: 'probe_resize', type: 'img_resize', image: { image_name: upload.image_name }, width: 4, height: 4, is_intermediate: true, use_cache: false },
        },
        edges: [],
      },
      runs: 1,
    };
    const events = await lastValueFrom(
      runWorkflow(client, { batch }, { timeouts: { total: timeoutMs } }).pipe(
        filter((e) => e.type === 'completed'),
        toArray(),
      ),
    ).finally(() => counting.unsubscribe());
    const result = events[0]?.type === 'completed' ? events[0].result : undefined;
    const output = result?.images[0];
    if (!output) return { check: 'probe', status: 'fail', detail: 'the probe item completed without an image', fix: 'check the server log for errors of the img_resize node' };
    created.push(output);
    const bytes = await firstValueFrom(client.images.download(output));
    const size = pngSize(bytes);
    const ms = Math.round(performance.now() - started);
    if (size.width !== 4 || size.height !== 4) {
      return { check: 'probe', status: 'fail', detail: `the resized image is ${size.width}×${size.height}, not 4×4`, fix: 'the server did not run the graph as sent' };
    }
    return socketEvents > 0
      ? { check: 'probe', status: 'ok', detail: `upload → img_resize → download → delete in ${ms} ms (${socketEvents} status events)` }
      : { check: 'probe', status: 'warn', detail: `completed in ${ms} ms, but only by polling (no socket event arrived)`, fix: 'see the events row' };
  } finally {
    for (const name of created) await firstValueFrom(client.images.delete(name)).catch(() => undefined);
  }
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return bytes.byteLength >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : { width: 0, height: 0 };
}
