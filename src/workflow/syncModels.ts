import { ModelNotFoundError, type ModelRef } from '../errors/ModelNotFoundError.js';
import { zModelIdentifier, type ModelIdentifier } from './fieldKinds.js';
import type { NodeValueChange, Workflow } from './Workflow.js';

/** The fields of an installed model's config that identify it. */
export interface ModelLike {
  key: string;
  hash: string;
  name: string;
  base: string;
  type: string;
}

export interface SyncModelsOptions {
  /** Match by exact name (and type) when key and hash fail. @default true */
  byName?: boolean;
  /**
   * As a last resort, take the first installed model (by name) of the same base **and** type.
   * @default false
   */
  byBase?: boolean;
  /** Form indices never to touch. @default wf.explicitIndices (the inputs set with `with`/`set`) */
  explicit?: ReadonlySet<number>;
}

/**
 * Rebinds every model reference of a workflow (all nodes, not only form inputs) to the models
 * installed on a server: exported workflows carry the model keys of the author's machine.
 * Each reference is matched by key, then hash, then name + type, then (optionally) base + type.
 * Inputs set explicitly by the user are left alone. Nothing changes unless everything matches.
 *
 * @throws ModelNotFoundError for the first reference that matches no installed model, listing the
 *   installed models of its base and type.
 */
export function syncModels(wf: Workflow, models: readonly ModelLike[], options: SyncModelsOptions = {}): Workflow {
  const byName = options.byName ?? true;
  const explicit = options.explicit ?? wf.explicitIndices;
  const protectedFields = new Set(
    wf.inputs.filter((i) => explicit.has(i.index)).map((i) => `${i.nodeId}\u0000${i.fieldName}`),
  );
  const changes: NodeValueChange[] = [];
  for (const node of wf.json.nodes) {
    if (node.type !== 'invocation') continue;
    for (const [fieldName, input] of Object.entries(node.data.inputs)) {
      const parsed = zModelIdentifier.safeParse(input.value);
      if (!parsed.success || protectedFields.has(`${node.id}\u0000${fieldName}`)) continue;
      const wanted = parsed.data;
      const tried = ['key', 'hash', ...(byName ? ['name'] : []), ...(options.byBase ? ['base'] : [])];
      const match = findModel(wanted, models, byName, options.byBase ?? false);
      if (!match) {
        const formInput = wf.inputs.find((i) => i.nodeId === node.id && i.fieldName === fieldName);
        throw new ModelNotFoundError({
          index: formInput ? formInput.index : null,
          nodeId: node.id,
          fieldName,
          wanted: refOf(wanted),
          candidates: models.filter((m) => m.base === wanted.base && m.type === wanted.type).map(refOf),
          tried,
        });
      }
      const next: ModelIdentifier = { ...refOf(match) };
      if (wanted.submodel_type) next.submodel_type = wanted.submodel_type;
      if (!sameModel(wanted, next)) changes.push({ nodeId: node.id, fieldName, value: next });
    }
  }
  return changes.length ? wf.withNodeValues(changes) : wf;
}

function findModel(wanted: ModelIdentifier, models: readonly ModelLike[], byName: boolean, byBase: boolean): ModelLike | undefined {
  const byKey = models.find((m) => m.key === wanted.key);
  if (byKey) return byKey;
  if (wanted.hash) {
    const byHash = models.find((m) => m.hash === wanted.hash);
    if (byHash) return byHash;
  }
  if (byName) {
    const named = models.filter((m) => m.name === wanted.name && m.type === wanted.type);
    const found = named.find((m) => m.base === wanted.base) ?? named[0];
    if (found) return found;
  }
  if (byBase && wanted.base && wanted.base !== 'any') {
    return models
      .filter((m) => m.base === wanted.base && m.type === wanted.type)
      .sort((a, b) => a.name.localeCompare(b.name))[0];
  }
  return undefined;
}

function refOf(m: ModelLike): ModelRef {
  return { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type };
}

function sameModel(a: ModelIdentifier, b: ModelIdentifier): boolean {
  return (
    a.key === b.key &&
    a.hash === b.hash &&
    a.name === b.name &&
    a.base === b.base &&
    a.type === b.type &&
    (a.submodel_type ?? null) === (b.submodel_type ?? null)
  );
}
