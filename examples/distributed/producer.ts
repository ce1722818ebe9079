/**
 * Producer: enqueues N prompts as BullMQ jobs. The job id `<runName>-<index>` is the run id of
 * that prompt's pipeline, so a job retried on another worker finds its work on the InvokeAI
 * servers instead of redoing it.
 *
 *   npx tsx examples/distributed/producer.ts --prompts 10 [--run catalog-1]
 *   REDIS_URL=redis://127.0.0.1:6379 QUEUE=invokeai-rx npx tsx examples/distributed/producer.ts
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { type PromptJob, queueName, redisConnection } from './config.js';

const TOPICS = ['Mountain landscape', 'Ocean sunset', 'Forest path', 'Desert at dawn', 'Old harbour', 'Snowy village'];

/** N prompts, cycling through a few topics. */
export function prompts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${TOPICS[i % TOPICS.length]} #${i + 1}`);
}

/**
 * Adds one job per prompt, with job id `<runName>-<index>`. A job whose attempt fails (a worker
 * shut down mid-job) is tried again, up to 3 times; a worker killed outright loses its lock and
 * the job is handed to another worker by BullMQ's stalled-job check.
 */
export async function enqueuePrompts(queue: Queue<PromptJob>, runName: string, texts: readonly string[]): Promise<string[]> {
  if (!/^[A-Za-z0-9._-]+$/.test(runName)) throw new Error(`a run name is letters, digits, '.', '_' and '-' only, got ${JSON.stringify(runName)}`);
  const jobs = await queue.addBulk(
    texts.map((prompt, index) => ({
      name: 'prompt',
      data: { prompt },
      opts: { jobId: `${runName}-${index}`, attempts: 3, backoff: { type: 'fixed', delay: 500 } },
    })),
  );
  return jobs.map((j) => j.id!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { prompts: { type: 'string', default: '4' }, run: { type: 'string' } } });
  const n = Number(values.prompts);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--prompts must be a positive integer, got ${values.prompts}`);
  const runName = values.run ?? `run-${new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-')}`;
  const queue = new Queue<PromptJob>(queueName(), { connection: redisConnection() });
  try {
    const ids = await enqueuePrompts(queue, runName, prompts(n));
    console.log(`enqueued ${ids.length} prompts on queue ${queueName()}: ${ids[0]} … ${ids[ids.length - 1]}`);
  } finally {
    await queue.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`producer failed: ${(error as Error)?.message ?? String(error)}`);
    process.exitCode = 1;
  });
}
