/**
 * Worker: a BullMQ Worker process that runs generateBase → refine → upscale for each job on a
 * `pool` of InvokeAI servers, with `runId: job.id`. Start as many as you like, on as many
 * machines as you like: a job retried on another worker (its worker was killed, or shut down)
 * finds the work already done or under way on whichever server has it, and redoes none of it.
 *
 *   INVOKEAI_URL=http://gpu1:9090,http://gpu2:9090 npx tsx examples/distributed/worker.ts
 *
 * Environment (besides `REDIS_URL` and `QUEUE`, see config.ts):
 * - `INVOKEAI_URL`  – the servers, comma-separated (required).
 * - `INVOKEAI_TOKEN` – bearer token for every server.
 * - `WORKER_NAME`   – how the worker names itself in its output. @default worker-<pid>
 * - `CONCURRENCY`   – jobs this worker runs at once. @default 1
 * - `IMAGE_SIZE`, `STEPS` – base image size and denoising steps. @default 1024, 20
 * - `SERVER_OFFSET` – which server of the list this worker prefers (its pool starts there).
 *                     @default the process id (spreads workers at random)
 * - `LOCK_MS`       – BullMQ lock of a job; a killed worker's job is retried by another worker
 *                     within about this long. @default 6000
 *
 * SIGTERM / SIGINT: the worker takes no new job, unsubscribes its pipelines (which cancels their
 * unfinished queue items, as `cancelOnExit` does), hands their jobs back to the queue (the attempt
 * fails and is retried elsewhere), and exits with 143 / 130 once the cancels are answered.
 */
import { Observable, type Subscription, of, tap } from 'rxjs';
import { Worker, type Job } from 'bullmq';
import { InvokeAIClient, cancelOnExit } from 'invokeai-rx';
import { type RunWorkflowFn, cleanup, generateBase, pool, refine, upscale, type StageOutput } from 'invokeai-rx/operators';
import { loadWorkflow } from '../support.js';
import { type PromptJob, type PromptResult, type WorkerMessage, queueName, redisConnection, serverUrls } from './config.js';

const name = process.env['WORKER_NAME'] || `worker-${process.pid}`;
const urls = serverUrls();
if (urls.length === 0) {
  console.error(`${name}: set INVOKEAI_URL to the InvokeAI servers (comma-separated).`);
  process.exit(2);
}
const positiveInt = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};
const size = positiveInt(process.env['IMAGE_SIZE'], 1024);
const steps = positiveInt(process.env['STEPS'], 20);
const lockDuration = positiveInt(process.env['LOCK_MS'], 6_000);

const report = (message: WorkerMessage, line: string) => {
  console.log(`${name}: ${line}`);
  process.send?.(message);
};

// Each worker's pool sees only its own load: starting the list at another server per worker
// spreads the workers' jobs over the servers.
const offset = /^\d+$/.test(process.env['SERVER_OFFSET'] ?? '') ? Number(process.env['SERVER_OFFSET']) : process.pid;
const ordered = urls.map((_, i) => urls[(i + offset) % urls.length]!);
const token = process.env['INVOKEAI_TOKEN'];
const clients = ordered.map((url) => InvokeAIClient.fromUrl(url, token ? { token } : {}));
const gpus = pool(clients, { perServer: 2, healthInterval: 2_000 });
const workflows = {
  base: await loadWorkflow(gpus.client, 'sdxl_base'),
  refiner: await loadWorkflow(gpus.client, 'sdxl_refiner'),
  esrgan: await loadWorkflow(gpus.client, 'esrgan_upscale'),
};

/** `pool.run`, telling the parent when one of the job's queue items starts running. */
const reporting = (jobId: string, stage: string): RunWorkflowFn => (client, workflow, options) =>
  gpus.run(client, workflow, options).pipe(
    tap((event) => {
      if (event.type === 'started') report({ type: 'stage-running', worker: name, jobId, stage }, `job ${jobId}: ${stage} running`);
    }),
  );

/** The pipelines in flight, to stop them on shutdown. */
const inFlight = new Map<string, { subscription: Subscription; stop: (error: Error) => void }>();

function runJob(job: Job<PromptJob, PromptResult>): Promise<PromptResult> {
  const runId = job.id!;
  report({ type: 'job-started', worker: name, jobId: runId, attempt: job.attemptsStarted }, `job ${runId} started (${JSON.stringify(job.data.prompt)})`);
  const common = { runId, concurrency: 1 };
  const pipeline$: Observable<StageOutput> = of({ prompt: job.data.prompt, key: 'prompt' }).pipe(
    generateBase(gpus.client, { ...common, workflow: workflows.base, run: reporting(runId, 'generateBase'), params: { width: size, height: size, steps } }),
    refine(gpus.client, { ...common, workflow: workflows.refiner, run: reporting(runId, 'refine'), params: { steps: Math.max(1, Math.round(steps * 0.75)) } }),
    upscale(gpus.client, { ...common, workflow: workflows.esrgan, run: reporting(runId, 'upscale') }),
    // Deletes the base and refined images once the upscaled one is in.
    cleanup(gpus.client),
  );
  return new Promise<PromptResult>((resolve, reject) => {
    let final: StageOutput | undefined;
    const subscription = pipeline$.subscribe({
      next: (r) => {
        if (r.stage === 'upscale') final = r;
      },
      error: reject,
      complete: () => {
        const server = final ? gpus.serverOf(final.imageName)?.config : undefined;
        if (!final || !server) return reject(new Error(`job ${runId}: the pipeline ended without a final image`));
        const result = { imageName: final.imageName, server: `${server.origin}${server.basePath}` };
        report({ type: 'job-done', worker: name, jobId: runId, ...result }, `job ${runId} done: ${result.imageName} on ${result.server}`);
        resolve(result);
      },
    });
    inFlight.set(runId, { subscription, stop: reject });
  }).finally(() => inFlight.delete(runId));
}

const worker = new Worker<PromptJob, PromptResult>(queueName(), runJob, {
  connection: redisConnection(),
  concurrency: positiveInt(process.env['CONCURRENCY'], 1),
  // Short locks: a killed worker's job is seen as stalled, and retried elsewhere, within seconds.
  lockDuration,
  stalledInterval: Math.max(1_000, Math.round(lockDuration / 3)),
  maxStalledCount: 2,
});
worker.on('failed', (job, error) => console.log(`${name}: job ${job?.id ?? '?'} attempt failed: ${error.message}`));
worker.on('error', (error) => console.error(`${name}: ${error.message}`));

cancelOnExit({
  unsubscribe: () => {
    void worker.close();
    for (const [runId, { subscription, stop }] of inFlight) {
      subscription.unsubscribe();
      stop(new Error(`job ${runId}: worker ${name} shut down`));
    }
    gpus.close();
  },
});

await worker.waitUntilReady();
report({ type: 'ready', worker: name }, `waiting for jobs on queue ${queueName()} (servers: ${ordered.join(', ')})`);
