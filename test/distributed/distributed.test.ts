import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from './support/redisServer.js';

/**
 * Runs `examples/distributed/run.ts` as a user does: a producer, three BullMQ worker processes on
 * a pool of two emulators, one worker killed (SIGKILL) in the middle of a job. Every prompt must
 * end with its image, and the servers' queues must show no piece of work that ran twice.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
/** A run still going after this long hangs (the script has its own 180 s limit on waiting for jobs). */
const KILL_AFTER_MS = 220_000;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

function runScript(args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, REDIS_URL: redis.url };
  for (const key of ['INVOKEAI_URL', 'INVOKEAI_TOKEN', 'NODE_OPTIONS', 'QUEUE']) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/distributed/run.ts', ...args], { cwd: repo, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('examples/distributed', () => {
  it('6 prompts, 3 workers, one killed mid-job: every result, nothing lost, no GPU work twice', { timeout: 240_000 }, async () => {
    const run = await runScript(['--prompts', '6', '--workers', '3', '--kill-one']);
    const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
    const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
    // A worker really died during a job's first stage…
    expect(lines.some((l) => /^killed worker-\d \(SIGKILL\) while job \S+ was running generateBase$/.test(l)), context).toBe(true);
    // …and its job was finished by another worker.
    expect(lines.at(-1), context).toBe('prompts 6, results 6, lost 0, duplicated GPU items 0');
    expect(run.signal, context).toBeNull();
    expect(run.code, context).toBe(0);
  });
});
