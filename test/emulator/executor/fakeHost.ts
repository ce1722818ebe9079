import type { EmulatorModel, ExecutionHost, NodeErrorInfo, Raster, SaveImageOptions } from '../../../src/emulator/executor/index.js';

export interface RecordedEvent {
  event: 'invocation_started' | 'invocation_progress' | 'invocation_complete';
  payload: Record<string, unknown> & { invocation: Record<string, unknown>; invocation_source_id: string };
}

/** An in-memory ExecutionHost: images in a Map, models from a list, every event recorded. */
export function createFakeHost(options: { models?: EmulatorModel[]; progressImages?: boolean; failures?: Record<string, NodeErrorInfo> } = {}) {
  const images = new Map<string, { raster: Raster; options: SaveImageOptions }>();
  const events: RecordedEvent[] = [];
  const work: Array<{ type: string; units: number }> = [];
  let canceled = false;
  let counter = 0;
  const host: ExecutionHost & { cancel(): void } = {
    progressImages: options.progressImages ?? false,
    saveImage(raster, opts) {
      const name = `img-${++counter}.png`;
      images.set(name, { raster, options: opts });
      return name;
    },
    loadImage(name) {
      const found = images.get(name);
      if (!found) {
        const e = new Error('Image record not found');
        e.name = 'ImageRecordNotFoundException';
        throw e;
      }
      return found.raster;
    },
    getModel: (key) => options.models?.find((m) => m.key === key),
    emit(event, payload) {
      events.push({ event, payload: payload as RecordedEvent['payload'] });
    },
    async work(type, units) {
      work.push({ type, units });
      if (canceled) throw canceledError();
    },
    checkCanceled() {
      if (canceled) throw canceledError();
    },
    injectedFailure: (type) => options.failures?.[type],
    cancel() {
      canceled = true;
    },
  };
  return { host, images, events, work, addImage: (raster: Raster) => host.saveImage(raster, { is_intermediate: false, board_id: null, image_category: 'user', session_id: 'upload', node_id: 'upload' }) };
}

function canceledError(): Error {
  const e = new Error('The queue item was canceled');
  e.name = 'CanceledException';
  return e;
}

/** Model records for the recorded SDXL / FLUX workflows, keyed as the recordings reference them. */
export function modelsOf(graph: { nodes: Record<string, Record<string, unknown>> }): EmulatorModel[] {
  const out = new Map<string, EmulatorModel>();
  for (const node of Object.values(graph.nodes))
    for (const v of Object.values(node)) {
      const m = v as Partial<EmulatorModel> | null;
      if (m && typeof m === 'object' && typeof m.key === 'string' && typeof m.hash === 'string')
        out.set(m.key, { key: m.key, hash: m.hash, name: m.name ?? m.key, base: m.base ?? 'any', type: m.type ?? 'main', format: 'checkpoint' });
    }
  return [...out.values()];
}
