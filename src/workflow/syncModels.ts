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

/** How one model reference of a workflow was matched to an installed model. */
export type ModelMatch = 'key' | 'hash' | 'name' | 'base';

/** One model reference of a workflow and the installed model it is bound to. */
export interface ModelUse {
  /** Form index of the reference, or null when it is not a form input. */
  index: number | null;
  nodeId: string;
  fieldName: string;
  /** The model the workflow asked for. */
  wanted: ModelRef;
  /** The installed model that is sent. */
  used: ModelRef;
  matchedBy: ModelMatch;
  /**
   * True when `used` is another model of the same base and type (`byBase`), not the one asked
   * for: matching by key, hash or exact name + type is not a substitution.
   */
  substituted: boolean;
}

/** What {@link syncModelsReport} did: the rebound workflow and every reference it matched. */
export interface ModelSyncReport {
  workflow: Workflow;
  /** Every model reference that was matched, in node order (explicit inputs are not listed). */
  models: ModelUse[];
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
  return syncModelsReport(wf, models, options).workflow;
}

/**
 * {@link syncModels}, also saying how each reference was matched, so that a caller that allowed
 * `byBase` can report every substitution it made (never silently).
 *
 * @throws ModelNotFoundError as syncModels does.
 */
export function syncModelsReport(wf: Workflow, models: readonly ModelLike[], options: SyncModelsOptions = {}): ModelSyncReport {
  const byName = options.byName ?? true;
  const explicit = options.explicit ?? wf.explicitIndices;
  const protectedFields = new Set(
    wf.inputs.filter((i) => explicit.has(i.index)).map((i) => `${i.nodeId}\u0000${i.fieldName}`),
  );
  const changes: NodeValueChange[] = [];
  const uses: ModelUse[] = [];
  for (const node of wf.json.nodes) {
    if (node.type !== 'invocation') continue;
    for (const [fieldName, input] of Object.entries(node.data.inputs)) {
      const parsed = zModelIdentifier.safeParse(input.value);
      if (!parsed.success || protectedFields.has(`${node.id}\u0000${fieldName}`)) continue;
      const wanted = parsed.data;
      const tried = ['key', 'hash', ...(byName ? ['name'] : []), ...(options.byBase ? ['base'] : [])];
      const found = matchInstalledModel(wanted, models, byName, options.byBase ?? false);
      const formInput = wf.inputs.find((i) => i.nodeId === node.id && i.fieldName === fieldName);
      if (!found) {
        throw new ModelNotFoundError({
          index: formInput ? formInput.index : null,
          nodeId: node.id,
          fieldName,
          wanted: refOf(wanted),
          candidates: models.filter((m) => m.base === wanted.base && m.type === wanted.type).map(refOf),
          tried,
        });
      }
      const { model: match, by } = found;
      uses.push({
        index: formInput ? formInput.index : null,
        nodeId: node.id,
        fieldName,
        wanted: refOf(wanted),
        used: refOf(match),
        matchedBy: by,
        substituted: by === 'base',
      });
      const next: ModelIdentifier = { ...refOf(match) };
      if (wanted.submodel_type) next.submodel_type = wanted.submodel_type;
      if (!sameModel(wanted, next)) changes.push({ nodeId: node.id, fieldName, value: next });
    }
  }
  return { workflow: changes.length ? wf.withNodeValues(changes) : wf, models: uses };
}

/**
 * The installed model a reference stands for: by key, then hash, then name + type (preferring its
 * base), then, when `byBase`, the first (by name) of its base and type. `undefined` when none fits.
 */
export function matchInstalledModel(
  wanted: ModelIdentifier,
  models: readonly ModelLike[],
  byName: boolean,
  byBase: boolean,
): { model: ModelLike; by: ModelMatch } | undefined {
  const byKey = models.find((m) => m.key === wanted.key);
  if (byKey) return { model: byKey, by: 'key' };
  if (wanted.hash) {
    const byHash = models.find((m) => m.hash === wanted.hash);
    if (byHash) return { model: byHash, by: 'hash' };
  }
  if (byName) {
    const named = models.filter((m) => m.name === wanted.name && m.type === wanted.type);
    const found = named.find((m) => m.base === wanted.base) ?? named[0];
    if (found) return { model: found, by: 'name' };
  }
  if (byBase && wanted.base && wanted.base !== 'any') {
    const sameBase = models
      .filter((m) => m.base === wanted.base && m.type === wanted.type)
      .sort((a, b) => a.name.localeCompare(b.name))[0];
    if (sameBase) return { model: sameBase, by: 'base' };
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
