import {
  EMPTY,
  Observable,
  ReplaySubject,
  defer,
  filter,
  forkJoin,
  map,
  mergeMap,
  of,
  share,
  switchMap,
  tap,
  throwError,
  throwIfEmpty,
  catchError,
  finalize,
  type OperatorFunction,
} from 'rxjs';
import { bindFieldTable } from '../../../src/run/bindFieldTable.js';
import type { RunEvent } from '../../../src/run/types.js';
import type { ModelConfig } from '../../../src/schemas/model.js';
import { syncModelsReport, type ModelUse } from '../../../src/workflow/syncModels.js';
import { StageCanceledError } from '../../errors/StageCanceledError.js';
import type { AnyStageParams, StageName, StageOutput } from '../../StageResult.js';
import { reportWarning, substitutionWarning } from '../../StageWarning.js';
import { attachFailure } from '../failureContext.js';
import { imageNameOf } from '../lineage.js';
import { checkBound, definedEntries, hasModelNames, toIndexed } from './boundValues.js';
import { modelListCache } from './modelListCache.js';
import { resolveModels } from './resolveModels.js';
import { resubmitInterrupted } from './resubmitInterrupted.js';
import { type StagePlace, splitKey, stagePlace } from './runPlace.js';
import { STAGE_RUN_DEFAULTS, type RunOptions, type StageDefinition, type StageRequest } from './stageConfig.js';
import { stageSettings } from './stageSettings.js';
import { reportFailure, toFailure, toFallback } from './toFailure.js';
import { toResult } from './toResult.js';

/**
 * The engine behind every stage: validates the binding when the operator is created, then for
 * each input binds its values → `workflow.with(...)` (on the workflow bound to the server's field
 * table when it has none: `client.app.fieldTable()`, loaded once per client) → `run` → picks the output image
 * (`pickOutput`) → emits a StageResult (or applies `onError`). A run whose queue item a
 * server restart interrupted is enqueued again up to `resubmitInterrupted` times before `onError`
 * sees its error. The outputs are typed with the stage's name and values: `params` holds the
 * values the stage bound, which `checkBound` limits to the stage's own keys.
 */
export function runStage<In, Stage extends StageName = StageName, Params extends object = AnyStageParams>(
  def: StageDefinition<In, Stage>,
): OperatorFunction<In, StageOutput<Stage, Params>> {
  const { stage, client, config } = def;
  const workflow = config.workflow;
  const { workflowName, onError, concurrency, resubmits, run, sync, modelFallback, warnings, bindingObj, binding, defaults } = stageSettings(def);
  const runId = config.runId ?? config.runOptions?.runId;

  // Shared by every subscription of this operator.
  const models$ = modelListCache(client);
  // A substitution is reported once per operator, not once per input.
  const warned = new Set<string>();
  const warnSubstitutions = (uses: readonly ModelUse[]) => {
    for (const use of uses) {
      const id = [use.nodeId, use.fieldName, use.wanted.key, use.used.key].join('\u0000');
      if (!use.substituted || warned.has(id)) continue;
      warned.add(id);
      reportWarning(warnings!, substitutionWarning(stage, use));
    }
  };

  return (source) =>
    defer(() => {
      const board$: Observable<string | null> =
        config.board === undefined
          ? of(null)
          : defer(() => client.boards.findOrCreate(config.board!)).pipe(
              map((b) => b.board_id),
              share({ connector: () => new ReplaySubject(1), resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true }),
            );

      const process = (given: In, index: number): Observable<StageOutput> => {
        let place: StagePlace | null = null;
        let request: StageRequest | undefined;
        let values: Record<string, unknown> = {};
        let itemId: number | null = null;
        let uploaded: string[] = [];
        let modelUses: ModelUse[] | undefined;
        let settled = false;

        let item = given;
        const attempt$ = defer(() => {
          const split = splitKey(given);
          item = split.item;
          request = def.request(item);
          if (runId !== undefined) {
            const explicit = config.keyOf ? String(config.keyOf(given, index)) : split.key;
            place = stagePlace(stage, request, explicit, index);
          }
          const fromLineage =
            request.input !== null && typeof request.input !== 'string' ? request.input.lineage.prompt : undefined;
          values = { ...defaults, ...definedEntries(request.params) };
          if (values['prompt'] === undefined && binding.has('prompt') && (request.prompt ?? fromLineage) !== undefined) {
            values['prompt'] = request.prompt ?? fromLineage;
          }
          if (request.input !== null) values['image'] = imageNameOf(request.input);
          checkBound(stage, workflowName, binding, values, 'the input');
          // Bound before prepare uploads anything, so a failed table load leaves no orphan upload.
          const prepared$ = bindFieldTable(client, workflow).pipe(
            switchMap((tabled) =>
              (def.prepare ? def.prepare(values) : of({ values: {}, created: [] as string[] })).pipe(map((extra) => ({ ...extra, tabled }))),
            ),
          );
          return forkJoin([board$, prepared$]).pipe(
            switchMap(([boardId, { tabled, ...extra }]) => {
              values = { ...values, ...extra.values };
              uploaded = extra.created;
              if (boardId !== null) values['board'] = config.board;
              const indexed = { ...values, ...(boardId !== null ? { board: { board_id: boardId } } : {}) };
              const bound = (models: readonly ModelConfig[]) => {
                const wf = tabled.with(toIndexed(binding, resolveModels(binding, indexed, models)));
                if (!sync) return wf;
                const report = syncModelsReport(wf, models, sync);
                if (modelFallback === 'same-base') {
                  modelUses = report.models;
                  warnSubstitutions(report.models);
                }
                return report.workflow;
              };
              const needsModels = sync !== null || hasModelNames(binding, indexed);
              return (needsModels ? models$ : of([])).pipe(
                switchMap((models) => {
                  const wf = bound(models);
                  let attempts = 0;
                  // Only the run is resubmitted: the board, the model list and prepare's uploads
                  // are reused, so a resubmission creates no second mask for cleanup to miss.
                  return defer(() => {
                    const options: NonNullable<RunOptions> = { ...STAGE_RUN_DEFAULTS, ...config.runOptions };
                    if (place) Object.assign(options, { runId, runPosition: place.position, runAttempt: attempts });
                    // A reused batch id would also return the interrupted item.
                    if (attempts++ > 0) delete options.batchId;
                    return run(client, wf, options);
                  }).pipe(resubmitInterrupted(resubmits));
                }),
              );
            }),
            tap((event) => {
              if (event.type === 'enqueued') itemId = event.item_ids[0] ?? null;
            }),
            filter((event): event is Extract<RunEvent, { type: 'completed' }> => event.type === 'completed'),
            map((event) => {
              const result = withPlace(toResult(stage, workflowName, bindingObj, request!, values, uploaded, event.result), place);
              return modelUses ? { ...result, models: modelUses } : result;
            }),
            throwIfEmpty(() => new Error(`${stage}: the run of workflow ${JSON.stringify(workflowName)} ended without a result.`)),
          );
        });

        return attempt$.pipe(
          tap({ complete: () => (settled = true), error: () => (settled = true) }),
          catchError((error: unknown) => {
            const failure = toFailure(stage, item, request, values, error, itemId, uploaded);
            if (onError === 'skip') {
              reportFailure(config.failures, failure);
              return EMPTY;
            }
            if (onError === 'fallback' && request?.input != null) {
              // Uploads made for the failed run are orphans: hand them to cleanup with the error.
              return of(withPlace(toFallback(stage, request.input, values, error, itemId, uploaded), place));
            }
            attachFailure(error, failure);
            return throwError(() => error);
          }),
          finalize(() => {
            if (!settled && config.failures) {
              const input = request?.input != null ? imageNameOf(request.input) : null;
              const canceled = new StageCanceledError({ stage, input });
              const failure = toFailure(stage, item, request, values, canceled, itemId, uploaded);
              // Under a run id the work may be resumed, and needs these images then: cleanRun removes them.
              if (runId !== undefined) failure.created = [];
              reportFailure(config.failures, failure);
            }
          }),
        );
      };

      return source.pipe(mergeMap(process, concurrency)) as Observable<StageOutput<Stage, Params>>;
    });
}

/** Under a run id, the output's lineage records the chain's key and depth for the next stages. */
function withPlace<T extends StageOutput>(output: T, place: StagePlace | null): T {
  if (place) {
    output.lineage.key = place.key;
    output.lineage.depth = place.depth;
  }
  return output;
}
