import type { FieldTableData, NodeSpec } from '../../workflow/fieldTable.js';
import { InvocationError } from '../errors/InvocationError.js';
import { progressImage } from './png.js';
import type { TensorStore } from './tensorStore.js';
import type { EmulatorModel, ExecutionHost, Raster, SaveImageOptions } from './types.js';

/** `ImageOutput` fields of a saved image. */
export type SavedImage = {
  image: { image_name: string };
  width: number;
  height: number;
};

/** What a node implementation sees: its resolved inputs and the services of `InvocationContext`. */
export interface NodeContext {
  readonly sessionId: string;
  /** The invocation with every input resolved (prepared id, defaults applied). */
  readonly node: Readonly<Record<string, unknown>>;
  readonly type: string;
  readonly spec: NodeSpec | undefined;
  readonly table: FieldTableData;
  readonly host: ExecutionHost;
  readonly tensors: TensorStore;
  /** An input value (undefined when absent). */
  input<T = unknown>(name: string): T;
  /** Loads the image an `ImageField` names. */
  loadImage(field: unknown): Raster;
  /** Emits "Saving image" and stores the raster (board, is_intermediate from the node). */
  saveImage(raster: Raster, category?: SaveImageOptions['image_category']): SavedImage;
  progress(message: string, percentage?: number | null, preview?: Raster): void;
  /** Simulated GPU work; rejects when the item is canceled. */
  work(units: number): Promise<void>;
  /** The record of a model identifier's key, or `Exception("Unknown model <key>")`. */
  model(field: unknown, what?: string): EmulatorModel;
}

export type NodeOutputFields = Record<string, unknown>;

/** A node implementation: returns its output fields (without `type`/`output_meta`). */
export type NodeImplementation = (ctx: NodeContext) => NodeOutputFields | Promise<NodeOutputFields>;

export function createNodeContext(args: {
  sessionId: string;
  node: Record<string, unknown>;
  sourceNodeId: string;
  table: FieldTableData;
  host: ExecutionHost;
  tensors: TensorStore;
  eventInvocation: Record<string, unknown>;
}): NodeContext {
  const { sessionId, node, host, table, tensors, sourceNodeId, eventInvocation } = args;
  const type = node.type as string;
  const progress = (message: string, percentage: number | null = null, preview?: Raster) => {
    host.emit('invocation_progress', {
      invocation: eventInvocation,
      invocation_source_id: sourceNodeId,
      message,
      percentage,
      image: preview ? progressImage(preview) : null,
    });
  };
  return {
    sessionId,
    node,
    type,
    spec: table.nodes[type],
    table,
    host,
    tensors,
    input: <T>(name: string) => node[name] as T,
    loadImage(field) {
      const name = (field as { image_name?: unknown } | null)?.image_name;
      if (typeof name !== 'string') throw new InvocationError('ValueError', 'Image field has no image_name');
      try {
        return host.loadImage(name);
      } catch (e) {
        if (e instanceof Error && /NotFound/.test(e.name)) throw new InvocationError(e.name, e.message || 'Image record not found');
        throw e;
      }
    },
    saveImage(raster, category = 'general') {
      progress('Saving image');
      const board = node.board as { board_id?: string } | null | undefined;
      const image_name = host.saveImage(raster, {
        is_intermediate: node.is_intermediate === true,
        board_id: board?.board_id ?? null,
        image_category: category,
        session_id: sessionId,
        node_id: node.id as string,
        metadata: (node.metadata as Record<string, unknown> | null | undefined) ?? null,
      });
      return { image: { image_name }, width: raster.width, height: raster.height };
    },
    progress,
    work: (units) => host.work(type, units),
    model(field, what) {
      const key = (field as { key?: unknown } | null)?.key;
      const record = typeof key === 'string' ? host.getModel(key) : undefined;
      if (!record) {
        const k = typeof key === 'string' ? key : String(key);
        throw new InvocationError('Exception', what ? `Unknown ${what}: ${k}!` : `Unknown model ${k}`);
      }
      return record;
    },
  };
}
