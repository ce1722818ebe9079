import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { decodePng } from '../../image/index.js';
import { UsageError } from '../errors/UsageError.js';
import { checkOutputDir } from '../output/checkOutputDir.js';
import type { ManifestStage, RunManifest } from '../output/runManifest.js';
import { MANIFEST_FILE } from '../output/writeRunReport.js';

/** The output directory of a run, and what an earlier process of the same run id recorded there. */
export interface RunDir {
  /** Absolute path (not created yet when new). */
  path: string;
  /** `run.json` of the same run id, when the directory holds one: the run is resumed. */
  recorded?: RunManifest;
}

/** A stage image an earlier process of the run saved, whose file is still there and decodes. */
export interface ReusableStage {
  record: ManifestStage;
  bytes: Uint8Array;
}

/** What an earlier process of the same run left in the output directory. */
export interface RunResume {
  /** Stage images whose files are valid, by row key. */
  reusable: Map<string, ReusableStage>;
  /** Chains (by chain number) that went through all their stages, with their images: not run again. */
  complete: Map<number, ReusableStage[]>;
}

/**
 * Checks `--output-dir` before anything is written. Without a run id it must be new or empty
 * (`checkOutputDir`). With one, it may also be the directory of that same run (its `run.json`
 * names the run id): the run is resumed there. A directory of another run, or with files and no
 * `run.json`, is refused.
 * @throws UsageError
 */
export async function openRunDir(path: string, flag: string, cwd: string, runId: string | undefined): Promise<RunDir> {
  const abs = resolve(cwd, path);
  if (!(await isFullDir(abs))) return { path: await checkOutputDir(path, flag, cwd) };
  const recorded = await readManifest(abs);
  if (runId === undefined) {
    try {
      await checkOutputDir(path, flag, cwd);
    } catch (error) {
      if (recorded?.runId) (error as Error).message += `; to resume the run recorded there, add --run-id ${recorded.runId}`;
      throw error;
    }
    return { path: abs };
  }
  if (recorded === undefined) {
    throw new UsageError(`${flag} ${path} is not empty and has no readable ${MANIFEST_FILE}: it is not the directory of run ${runId}; pass a new or empty directory`);
  }
  if (recorded.runId !== runId) {
    const whose = recorded.runId ? `run ${recorded.runId}` : 'a run without a run id';
    throw new UsageError(
      `${flag} ${path} holds ${whose}, not run ${runId}; ${recorded.runId ? `pass --run-id ${recorded.runId} to resume it, or ` : 'pass '}a new or empty directory`,
    );
  }
  return { path: abs, recorded };
}

/**
 * The stage images of a recorded run that can be kept: their file is inside the directory, still
 * there, and decodes as a PNG (a file cut short by a killed process does not). By row key.
 */
export async function reusableStages(dir: string, recorded: RunManifest): Promise<Map<string, ReusableStage>> {
  const reusable = new Map<string, ReusableStage>();
  for (const chain of recorded.chains ?? []) {
    for (const record of chain.stages ?? []) {
      const path = resolve(dir, record.file);
      const rel = relative(dir, path);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
      try {
        const bytes = new Uint8Array(await readFile(path));
        decodePng(bytes);
        reusable.set(record.key, { record, bytes });
      } catch {
        // Missing or broken: the stage's image is taken from the server again.
      }
    }
  }
  return reusable;
}

/** Parameters that change how a run is carried out, not what it makes: a resume may change them. */
const FREE_PARAMETERS = new Set([
  'concurrency',
  'timeout_seconds',
  'queue_timeout_seconds',
  'stall_timeout_seconds',
  'retry_for_seconds',
  'seed_given',
  'prompts_file',
]);

/** What the current command line would make, as run.json records it. */
export interface RunRequest {
  parameters: Record<string, unknown>;
  prompts?: { index: number; prompt: string; seed: number; overrides: Record<string, unknown> }[];
}

/**
 * How the current command line differs from the recorded run in what it makes (prompts, seeds,
 * stage values, workflows, models), one line per difference; empty when it is the same run.
 */
export function runDifferences(recorded: RunManifest, now: RunRequest): string[] {
  const out: string[] = [];
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  const before = recorded.parameters ?? {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(now.parameters)])) {
    if (FREE_PARAMETERS.has(key)) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(now.parameters[key])) out.push(`${key}: ${show(before[key])} recorded, ${show(now.parameters[key])} now`);
  }
  const was = recorded.prompts ?? [];
  const is = now.prompts ?? [];
  if (was.length !== is.length) out.push(`prompts: ${was.length} recorded, ${is.length} now`);
  for (let i = 0; i < Math.min(was.length, is.length); i++) {
    const a = was[i]!;
    const b = is[i]!;
    if (a.prompt !== b.prompt) out.push(`prompt ${b.index}: ${show(a.prompt)} recorded, ${show(b.prompt)} now`);
    else if (a.seed !== b.seed) out.push(`prompt ${b.index} seed: ${a.seed} recorded, ${b.seed} now`);
    else if (JSON.stringify(a.overrides) !== JSON.stringify(b.overrides)) out.push(`prompt ${b.index} values: ${show(a.overrides)} recorded, ${show(b.overrides)} now`);
  }
  return out;
}

/** @throws UsageError naming every difference when the command line is not the recorded run's. */
export function checkSameRun(runId: string, recorded: RunManifest, now: RunRequest): void {
  const differences = runDifferences(recorded, now);
  if (differences.length === 0) return;
  const shown = differences.slice(0, 8).join('; ') + (differences.length > 8 ? `; and ${differences.length - 8} more` : '');
  throw new UsageError(
    `--run-id ${runId} names a run made with other values (${shown}); ` +
      'run the recorded command again to resume it, or give a new --run-id and a new --output-dir for a new run',
  );
}

/** A directory with entries (anything else is for `checkOutputDir` to accept or refuse). */
async function isFullDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory() && (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}

async function readManifest(dir: string): Promise<RunManifest | undefined> {
  try {
    const m = JSON.parse(await readFile(resolve(dir, MANIFEST_FILE), 'utf8')) as RunManifest;
    return typeof m === 'object' && m !== null && m.tool === 'invokeai-rx' ? m : undefined;
  } catch {
    return undefined;
  }
}
