/**
 * The client side of the long-run scenario, run as its own process by `longRun.test.ts`:
 *
 *   node --import tsx test/reliability/longRun.script.ts <server-url> <prompts> [concurrency]
 *
 * Streams the prompts through three stages (base → refine → upscale, both image stages with
 * `onError: 'fallback'`) against the server, while the test injects faults into it. Prints one
 * JSON line (the finals, one per prompt, and the stage failures) and then simply returns: the
 * process must exit on its own, which it only does if no socket, timer or request is left open.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { streamingPipeline, type StageFailure, type StageOutput } from '../../operators/index.js';
import { fastClient, tinyWorkflows, TINY_BASE_BINDING, TINY_IMAGE_BINDING } from './support.js';

export interface LongRunReport {
  finals: { prompt: string; imageName: string; ok: boolean; stage: string; created: string[] }[];
  /** Results of every stage, counted per stage. */
  perStage: Record<string, number>;
  failures: { stage: string; prompt: string | null; error: string }[];
}

const [url, count = '2000', concurrency = '16'] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: longRun.script.ts <server-url> <prompts> [concurrency]\n');
  process.exitCode = 2;
} else {
  const client = fastClient({ url }, { retry: { limit: 8, backoffLimit: 500 } });
  const wf = tinyWorkflows();
  // Lean per-run traffic: no queue-position lookup, no model sync (the toy workflows use no model).
  const runOptions = { pollInterval: 500, pollIntervalWithoutSocket: 100, connectTimeout: 500, queuePosition: false };
  const prompts = Array.from({ length: Number(count) }, (_, i) => `prompt ${i}`);
  const failures: StageFailure[] = [];
  if (process.env.LONG_RUN_DEBUG) {
    const t0 = Date.now();
    const { appendFileSync } = await import('node:fs');
    const log = (line: string) => appendFileSync(process.env.LONG_RUN_DEBUG!, `${Date.now() - t0} ${line}\n`);
    client.events.connected$.subscribe((c) => log(`connected=${c}`));
  }
  const record = (f: StageFailure) => failures.push(f);
  const outputs: StageOutput[] = await lastValueFrom(
    from(prompts).pipe(
      streamingPipeline(
        client,
        {
          base: { workflow: wf.base, binding: TINY_BASE_BINDING, syncModels: false, runOptions, failures: record },
          refiner: { workflow: wf.refine, binding: TINY_IMAGE_BINDING, syncModels: false, runOptions, onError: 'fallback', failures: record },
          upscaler: { workflow: wf.upscale, binding: TINY_IMAGE_BINDING, syncModels: false, runOptions, onError: 'fallback', failures: record },
        },
        { concurrency: Number(concurrency) },
      ),
      toArray(),
    ),
  );
  client.close();
  const perStage: Record<string, number> = {};
  for (const o of outputs) perStage[o.stage] = (perStage[o.stage] ?? 0) + 1;
  const report: LongRunReport = {
    finals: outputs
      .filter((o) => o.stage === 'upscale')
      .map((o) => ({ prompt: o.lineage.prompt ?? '', imageName: o.imageName, ok: o.ok, stage: o.stage, created: o.created })),
    perStage,
    failures: failures.map((f) => ({ stage: f.stage, prompt: f.prompt ?? null, error: String((f.error as Error)?.message ?? f.error) })),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
