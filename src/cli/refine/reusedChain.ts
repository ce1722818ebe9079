import { join } from 'node:path';
import { defer, from, type Observable } from 'rxjs';
import type { ChainJob, SavedStage } from './chainTypes.js';
import type { EventSink } from '../output/jsonEvents.js';
import type { OutputDir } from '../output/OutputDir.js';
import type { ProgressView } from '../progress/ProgressView.js';
import type { ReusableStage } from './resumeRun.js';

/** What a reused chain reports to. */
export interface ReusedChainContext {
  out: OutputDir;
  progress: ProgressView;
  events: EventSink;
  onChainDone?: (job: ChainJob) => void;
}

/** A chain an earlier process of the run completed and whose files are valid: its images as saved then. */
export function reusedChain(ctx: ReusedChainContext, job: ChainJob, kept: readonly ReusableStage[]): Observable<SavedStage> {
  return defer(() => {
    const saved = kept.map(({ record, bytes }): SavedStage => {
      ctx.progress.add(record.key);
      ctx.progress.done(record.key, record.timings.durationMs, record.file);
      ctx.events.emit('result', {
        key: record.key,
        ...(job.prompt ? { prompt: job.prompt.index } : {}),
        variation: job.variation,
        seed: job.seed,
        stage: record.stage,
        ...(record.pass !== undefined ? { pass: record.pass } : {}),
        file: record.file,
        path: join(ctx.out.path, ...record.file.split('/')),
        item_id: record.item_id,
        batch_id: record.batch_id,
        image_name: record.imageName,
        width: record.width,
        height: record.height,
        duration_ms: record.timings.durationMs,
        params: record.params,
        reused: true,
      });
      return { chain: job.chain, variation: job.variation, seed: job.seed, record, bytes };
    });
    ctx.onChainDone?.(job);
    return from(saved);
  });
}
