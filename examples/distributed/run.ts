/**
 * The distributed demo end to end: enqueues N prompts, runs K workers as child processes, with
 * `--kill-one` kills one of them (SIGKILL) in the middle of a job, waits for every job, then
 * checks the InvokeAI servers' queues: every prompt must have its final image, and no piece of
 * GPU work may have run twice.
 *
 *   npx tsx examples/distributed/run.ts --prompts 6 --workers 3 --kill-one
 *   REDIS_URL=redis://127.0.0.1:6379 INVOKEAI_URL=http://gpu1:9090,http://gpu2:9090 npx tsx examples/distributed/run.ts
 *
 * Without `INVOKEAI_URL` it starts two emulators in this process (small images, a few ms per
 * step). The last line is `prompts N, results R, lost L, duplicated GPU items D`: R jobs completed
 * with a final image that exists on its server, L = N − R, and D the queue items that ran
 * (completed, in progress or failed) beyond one per run id and stage. Exit status 0 when L and D
 * are 0. Workers, the queue (obliterated) and the emulators are cleaned up either way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom } from 'rxjs';
import { Queue } from 'bullmq';
import { InvokeAIClient, type SessionQueueItem } from 'invokeai-rx';
import { type Emulator, startEmulator } from 'invokeai-rx/emulator';
import { type PromptJob, type PromptResult, type WorkerMessage, DEFAULT_REDIS_URL, redisConnection, serverUrls } from './config.js';
import { enqueuePrompts, prompts } from './producer.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

const { values } = parseArgs({
  options: {
    prompts: { type: 'string', default: '6' },
    workers: { type: 'string', default: '3' },
    'kill-one': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '180' },
  },
});
const count = (value: string, what: string, min: number) => {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`${what} must be an integer >= ${min}, got ${value}`);
  return n;
};
const N = count(values.prompts, '--prompts', 1);
const K = count(values.workers, '--workers', values['kill-one'] ? 2 : 1);
const deadline = Date.now() + count(values.timeout, '--timeout', 1) * 1000;
const redisUrl = process.env['REDIS_URL'] || DEFAULT_REDIS_URL;

const emulators: Emulator[] = [];
const workers = new Map<string, ChildProcess>();
const clients = new Map<string, InvokeAIClient>();
let queue: Queue<PromptJob, PromptResult> | undefined;

/** The servers: `INVOKEAI_URL`, or two emulators started here. */
async function servers(): Promise<{ urls: string[]; env: Record<string, string> }> {
  const given = serverUrls();
  if (given.length > 0) return { urls: given, env: {} };
  for (let i = 0; i < 2; i++) emulators.push(await startEmulator({ port: 0, timing: { msPerStep: 25 } }));
  return { urls: emulators.map((e) => e.url), env: { IMAGE_SIZE: '64', STEPS: '4' } };
}

function clientOf(url: string): InvokeAIClient {
  let c = clients.get(url);
  if (!c) clients.set(url, (c = InvokeAIClient.fromUrl(url)));
  return c;
}

/** Starts one worker process; resolves once it waits for jobs. */
function startWorker(name: string, env: Record<string, string | undefined>, onMessage: (m: WorkerMessage, child: ChildProcess) => void): Promise<void> {
  const child = fork(resolve(here, 'worker.ts'), [], {
    cwd: repo,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env, WORKER_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  workers.set(name, child);
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    let rest = '';
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line.trim()) console.log(`  [${line}]`);
    });
  }
  return new Promise((ready, failed) => {
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') ready();
      onMessage(m, child);
    });
    child.once('exit', (code, signal) => {
      workers.delete(name);
      failed(new Error(`${name} exited (${signal ?? code}) before it was ready`));
    });
  });
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    [...workers.values()].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }),
  );
}

/** Whether the server still has the image. */
async function imageExists(server: string, imageName: string): Promise<boolean> {
  try {
    await firstValueFrom(clientOf(server).images.get(imageName));
    return true;
  } catch {
    return false;
  }
}

/** The stage an item ran, told by its graph's node types (the run id says which prompt). */
const stageOf = (item: SessionQueueItem) => [...new Set(Object.values(item.session.graph.nodes ?? {}).map((n) => String((n as { type?: unknown }).type)))].sort().join(',');

/** Queue items that ran beyond one per (run id, stage), over every server. */
async function duplicatedItems(urls: readonly string[], runIds: readonly string[]): Promise<number> {
  let duplicated = 0;
  for (const runId of runIds) {
    const ran = new Map<string, number>();
    for (const url of urls) {
      const items = await firstValueFrom(clientOf(url).queue.listAll({ destination: runId }));
      for (const item of items) {
        if (item.status !== 'completed' && item.status !== 'in_progress' && item.status !== 'failed') continue;
        const key = stageOf(item);
        ran.set(key, (ran.get(key) ?? 0) + 1);
      }
    }
    for (const n of ran.values()) duplicated += Math.max(0, n - 1);
  }
  return duplicated;
}

async function main(): Promise<number> {
  const { urls: given, env } = await servers();
  // As the workers name them in their results: origin + base path.
  const urls = given.map((url) => `${clientOf(url).config.origin}${clientOf(url).config.basePath}`);
  const runName = `demo-${Date.now().toString(36)}`;
  const workerEnv = { ...env, REDIS_URL: redisUrl, QUEUE: `invokeai-rx-${runName}`, INVOKEAI_URL: urls.join(',') };
  console.log(`servers: ${urls.join(', ')}; Redis: ${redisUrl}; queue: ${workerEnv.QUEUE}`);

  queue = new Queue<PromptJob, PromptResult>(workerEnv.QUEUE, { connection: redisConnection(redisUrl) });
  const ids = await enqueuePrompts(queue, runName, prompts(N));
  console.log(`enqueued ${ids.length} jobs: ${ids[0]} … ${ids[ids.length - 1]}`);

  let killed = !values['kill-one'];
  const onMessage = (m: WorkerMessage, child: ChildProcess) => {
    // The first job to reach a running item of its first stage loses its worker, without warning.
    if (killed || m.type !== 'stage-running' || m.stage !== 'generateBase') return;
    killed = true;
    child.kill('SIGKILL');
    console.log(`killed ${m.worker} (SIGKILL) while job ${m.jobId} was running ${m.stage}`);
  };
  await Promise.all(Array.from({ length: K }, (_, i) => startWorker(`worker-${i + 1}`, { ...workerEnv, SERVER_OFFSET: String(i) }, onMessage)));

  // Every job completed, or failed for good.
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if ((counts['completed'] ?? 0) + (counts['failed'] ?? 0) >= N) break;
    if (Date.now() > deadline) {
      console.log(`timed out: ${JSON.stringify(await queue.getJobCounts())}`);
      break;
    }
    await sleep(300);
  }
  await stopWorkers();
  if (!killed) console.log('no worker was killed: no job reached a running item while the workers ran');

  let results = 0;
  for (const id of ids) {
    const job = await queue.getJob(id);
    const value = job && (await job.getState()) === 'completed' ? job.returnvalue : null;
    if (value && urls.includes(value.server) && (await imageExists(value.server, value.imageName))) results += 1;
    else console.log(`job ${id}: no result (${job ? await job.getState() : 'missing'}${job?.failedReason ? `: ${job.failedReason}` : ''})`);
  }
  const duplicated = await duplicatedItems(urls, ids);
  const lost = N - results;
  console.log(`prompts ${N}, results ${results}, lost ${lost}, duplicated GPU items ${duplicated}`);
  return lost === 0 && duplicated === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`run failed: ${(error as Error)?.message ?? String(error)}`);
} finally {
  await stopWorkers();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close().catch(() => undefined);
  for (const c of clients.values()) c.close();
  await Promise.all(emulators.map((e) => e.close()));
}
process.exit(code);
