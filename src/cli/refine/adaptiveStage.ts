import { concat, concatMap, defer, EMPTY, filter, firstValueFrom, of, tap, type Observable, type OperatorFunction } from 'rxjs';
import { imageQuality, type InvokeAIClient, type QualityReport } from '../../index.js';
import { adaptiveRefine, type AdaptiveRefineStep, type RefineConfig, type StageOutput } from '../../../operators/index.js';
import type { EventSink } from '../output/jsonEvents.js';
import type { Saved } from './chainTypes.js';

export interface AdaptiveStageArgs {
  client: InvokeAIClient;
  config: RefineConfig;
  threshold: number;
  maxStrength: number;
  /** The base image the passes start from. */
  from: Saved;
  save: OperatorFunction<StageOutput, Saved>;
  /** Filled with each pass's number and starting quality, by queue item id. */
  passInfo: Map<number, { pass: number; quality?: number }>;
  /** Row of the refined stage of this chain (`refined`, `refined-2`, `001/refined`): names the verdict line. */
  label: string;
  baseRow: string;
  note: (text: string) => void;
  events: EventSink;
  where: Record<string, unknown>;
  /** Receives the image the next stage continues from: the best-scoring one. */
  onKept: (saved: Saved) => void;
}

/** One image of the adaptive chain with its quality score. */
interface Scored {
  pass: number;
  saved: Saved;
  score: number;
}

/**
 * Adaptive refinement for the CLI: `adaptiveRefine` passes, each saved as it lands with the
 * score it started from; afterwards every image (base and passes) has a score (the last pass's
 * output is scored here when the operator stopped at its pass limit), the run says whether the
 * threshold was met, and the best-scoring image is kept for the next stage. The operator itself
 * emits every pass, the last one being the most refined, not necessarily the best.
 */
export function adaptiveStage(a: AdaptiveStageArgs): Observable<Saved> {
  return defer(() => {
    const scores = new Map<string, number>();
    const assess = (client: InvokeAIClient, imageName: string): Observable<QualityReport> =>
      imageQuality(client, imageName).pipe(tap((q) => scores.set(imageName, q.score)));
    const passes: Saved[] = [];
    const steps = of(a.from.output).pipe(
      adaptiveRefine(a.client, a.config, { threshold: a.threshold, maxStrength: a.maxStrength, assess }),
      tap((step: AdaptiveRefineStep) => {
        if (step.pass === 0) {
          a.note(`${a.baseRow}: quality ${step.quality.score.toFixed(2)} already meets ${a.threshold}; no refinement needed`);
          a.events.emit('adaptive', { key: a.baseRow, ...a.where, threshold: a.threshold, met: true, kept_pass: 0, kept_key: a.baseRow, scores: [{ pass: 0, key: a.baseRow, score: step.quality.score }] });
        } else if (step.ok) {
          a.passInfo.set(step.item_id, { pass: step.pass, quality: step.quality.score });
        }
      }),
      filter((step) => step.pass > 0),
      a.save,
      tap((s) => {
        passes.push(s);
        a.note(`${s.record.key}: started from quality ${s.record.quality?.toFixed(2)}, strength ${Number(s.record.params['strength']).toFixed(2)}`);
      }),
    );
    return concat(steps, defer(() => (passes.length ? verdict(a, passes, scores, assess) : EMPTY)));
  });
}

async function scoreOf(a: AdaptiveStageArgs, saved: Saved, scores: Map<string, number>, assess: (c: InvokeAIClient, n: string) => Observable<QualityReport>): Promise<number> {
  const name = saved.record.imageName;
  return scores.get(name) ?? (await firstValueFrom(assess(a.client, name))).score;
}

function verdict(a: AdaptiveStageArgs, passes: Saved[], scores: Map<string, number>, assess: (c: InvokeAIClient, n: string) => Observable<QualityReport>): Observable<never> {
  return defer(async () => {
    const scored: Scored[] = [];
    for (const [i, saved] of [a.from, ...passes].entries()) scored.push({ pass: i, saved, score: await scoreOf(a, saved, scores, assess) });
    // The best score wins; on a tie the later (more refined) image.
    const best = scored.reduce((b, s) => (s.score >= b.score ? s : b));
    const met = scored.some((s) => s.score >= a.threshold);
    for (const s of scored.slice(1)) s.saved.record.score = s.score;
    best.saved.record.kept = true;
    a.onKept(best.saved);
    const list = scored.map((s) => `${s.pass === 0 ? 'base' : `pass ${s.pass}`} ${s.score.toFixed(2)}`).join(', ');
    const keptName = best.pass === 0 ? 'the base image' : `pass ${best.pass}`;
    a.note(
      `${a.label}: scores ${list}; threshold ${a.threshold} ${met ? 'met' : `not met after ${passes.length} pass${passes.length === 1 ? '' : 'es'}`}; ` +
        `kept ${keptName} (${best.score.toFixed(2)})`,
    );
    a.events.emit('adaptive', {
      key: a.label,
      ...a.where,
      threshold: a.threshold,
      met,
      kept_pass: best.pass,
      kept_key: best.saved.record.key,
      scores: scored.map((s) => ({ pass: s.pass, key: s.saved.record.key, score: s.score })),
    });
  }).pipe(concatMap(() => EMPTY));
}
