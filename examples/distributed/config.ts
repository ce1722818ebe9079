/**
 * What the producer, the workers and `run.ts` agree on: the Redis connection, the queue's name,
 * a job's data and result, and the messages a worker sends its parent process.
 *
 * Environment:
 * - `REDIS_URL`   – `redis://[:password@]host[:port][/db]`. @default redis://127.0.0.1:6379
 * - `QUEUE`       – the BullMQ queue's name. @default invokeai-rx
 * - `INVOKEAI_URL` – the InvokeAI servers, comma-separated (workers only).
 */
import type { ConnectionOptions } from 'bullmq';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The queue's name (`QUEUE`, default `invokeai-rx`). */
export function queueName(): string {
  return process.env['QUEUE'] || 'invokeai-rx';
}

/** BullMQ connection options for a `redis://` URL (`REDIS_URL` by default). */
export function redisConnection(url = process.env['REDIS_URL'] || DEFAULT_REDIS_URL): ConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new Error(`REDIS_URL must be a redis:// URL, got ${url}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    // Workers block on Redis; BullMQ requires this so that a command is never given up on.
    maxRetriesPerRequest: null,
  };
}

/** The InvokeAI servers of `INVOKEAI_URL` (a comma-separated list). */
export function serverUrls(value = process.env['INVOKEAI_URL'] ?? ''): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A job's data: one prompt. Its job id is the run id of the prompt's pipeline. */
export interface PromptJob {
  prompt: string;
}

/** A job's result: the final image and the server that holds it. */
export interface PromptResult {
  imageName: string;
  server: string;
}

/** What a worker tells `run.ts` (over IPC, when it has a parent). */
export type WorkerMessage =
  | { type: 'ready'; worker: string }
  | { type: 'job-started'; worker: string; jobId: string; attempt: number }
  | { type: 'stage-running'; worker: string; jobId: string; stage: string }
  | { type: 'job-done'; worker: string; jobId: string; imageName: string; server: string };

/** The pipeline's stages, in order (the names `StageOutput.stage` carries). */
export const STAGES = ['generateBase', 'refine', 'upscale'] as const;
