import { Subject, ignoreElements, lastValueFrom, map, mergeMap, of, tap } from 'rxjs';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import { cleanup, type StageOutput } from '../../operators/index.js';
import { startEmulatorThread } from '../support/emulatorThread.js';
import { heapAfterGc } from '../support/heap.js';
import { BASE_PARAMS, promptOf, stageWorkflows } from '../support/workflows.js';
import { threeStages } from './pipelines.js';

export interface MemoryRun {
  prompts: number;
  target: number;
  inFlight: number;
  seconds: number;
  /** Heap after GC once warmed up, MB. */
  heapStartMb: number;
  heapEndMb: number;
  /** heapEnd − heapStart, MB. */
  growthMb: number;
  /** Least-squares slope of the samples, MB per 1,000 prompts. */
  slopeMbPer1000: number;
  samples: { prompts: number; heapMb: number }[];
  /** Whether the run stopped at its time budget before `target` prompts. */
  stoppedByBudget: boolean;
}

/**
 * Streams prompts through base → refine → upscale with cleanup (each final image is deleted once
 * received, as a consumer that stores results elsewhere would), `inFlight` at a time, fed as
 * results come back (a pull source, not a huge array). The heap of this thread (the client: the
 * emulator runs in a worker) is sampled after a full GC.
 */
export async function memoryScenario(options: { target: number; inFlight: number; warmup: number; sampleEvery: number; budgetSeconds: number }): Promise<MemoryRun> {
  const emu = await startEmulatorThread({ executor: 'zero-cost', pruneEvery: 1_000 });
  const client = createInvokeAIClient({ baseUrl: emu.url });
  try {
    const workflows = await stageWorkflows(client);
    const stages = threeStages(client, workflows, undefined);
    const total = options.warmup + options.target;
    const prompts$ = new Subject<{ prompt: string } & typeof BASE_PARAMS>();
    const samples: { prompts: number; heapMb: number }[] = [];
    let issued = 0;
    let done = 0;
    let t0 = 0;
    let stoppedByBudget = false;
    const issue = () => {
      if (issued < total && !(t0 > 0 && performance.now() - t0 > options.budgetSeconds * 1000)) {
        prompts$.next({ prompt: promptOf(issued++), ...BASE_PARAMS });
      } else if (issued === done) {
        stoppedByBudget = issued < total;
        prompts$.complete();
      }
    };

    const run = lastValueFrom(
      prompts$.pipe(
        mergeMap((p) => of(p).pipe(stages), options.inFlight),
        cleanup(client),
        mergeMap((final: StageOutput) => client.images.delete(final.imageName).pipe(map(() => final))),
        tap(() => {
          done += 1;
          const measured = done - options.warmup;
          if (measured === 0) {
            t0 = performance.now();
            samples.push({ prompts: 0, heapMb: heapAfterGc() });
          } else if (measured > 0 && measured % options.sampleEvery === 0) {
            samples.push({ prompts: measured, heapMb: heapAfterGc() });
          }
          issue();
        }),
        ignoreElements(),
      ),
      { defaultValue: undefined },
    );
    for (let i = 0; i < options.inFlight; i++) issue();
    await run;
    const seconds = (performance.now() - t0) / 1000;
    const measured = done - options.warmup;
    if (samples.at(-1)?.prompts !== measured) samples.push({ prompts: measured, heapMb: heapAfterGc() });
    const first = samples[0]!;
    const last = samples.at(-1)!;
    return {
      prompts: measured,
      target: options.target,
      inFlight: options.inFlight,
      seconds,
      heapStartMb: first.heapMb,
      heapEndMb: last.heapMb,
      growthMb: last.heapMb - first.heapMb,
      slopeMbPer1000: slope(samples) * 1000,
      samples,
      stoppedByBudget,
    };
  } finally {
    client.close();
    await emu.close();
  }
}

function slope(points: readonly { prompts: number; heapMb: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.prompts, 0) / n;
  const my = points.reduce((a, p) => a + p.heapMb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.prompts - mx) * (p.heapMb - my);
    den += (p.prompts - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
