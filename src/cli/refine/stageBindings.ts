import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ESRGAN_UPSCALE_BINDING, FACE_RESTORE_BINDING, SDXL_BASE_BINDING, SDXL_REFINER_BINDING } from '../../../operators/index.js';
import { UsageError } from '../errors/UsageError.js';

/** The stages of `refine`, as a binding file and `--bind` name them. */
export const CLI_STAGES = ['base', 'refine', 'upscale', 'faces'] as const;
export type CliStage = (typeof CLI_STAGES)[number];

/**
 * The semantic names each stage binds: the operator's own (generateBase, refine, upscale,
 * enhanceFaces), plus `model` for base and refine, which only the CLI's model flags use.
 */
export const STAGE_KEYS: Readonly<Record<CliStage, readonly string[]>> = Object.freeze({
  base: ['prompt', 'negative', 'seed', 'steps', 'cfg', 'width', 'height', 'board', 'model'],
  refine: ['image', 'prompt', 'negative', 'steps', 'strength', 'cfg', 'board', 'model'],
  upscale: ['image', 'scale', 'model', 'board'],
  faces: ['image', 'strength', 'model', 'board'],
});

/** Semantic name → form index, per stage. */
export type StageBindings = Record<CliStage, Readonly<Record<string, number>>>;

/** The bindings of the bundled workflows (`data/workflows`). */
export const BUNDLED_BINDINGS: Readonly<StageBindings> = Object.freeze({
  base: SDXL_BASE_BINDING,
  refine: SDXL_REFINER_BINDING,
  upscale: ESRGAN_UPSCALE_BINDING,
  faces: FACE_RESTORE_BINDING,
});

/** One `--bind STAGE.NAME=INDEX` (`index: null` = `none`, unbind). */
export interface BindFlag {
  stage: CliStage;
  key: string;
  index: number | null;
}

/** A binding file: stage → semantic name → form index (`null` unbinds). */
export const zBindingFile = z.partialRecord(z.enum(CLI_STAGES), z.record(z.string(), z.number().int().min(0).nullable()));
export type BindingFile = z.infer<typeof zBindingFile>;

/** Parses one `--bind` value. @throws UsageError */
export function parseBindFlag(text: string): BindFlag {
  const m = /^([a-z]+)\.([a-z]+)=(\d+|none)$/.exec(text);
  if (!m) throw new UsageError(`--bind expects STAGE.NAME=INDEX (e.g. refine.strength=3), got '${text}'`);
  const stage = m[1]!;
  if (!isStage(stage)) throw new UsageError(`--bind ${text}: unknown stage '${stage}'; stages are ${CLI_STAGES.join(', ')}`);
  checkKey(stage, m[2]!, `--bind ${text}`);
  return { stage, key: m[2]!, index: m[3] === 'none' ? null : Number(m[3]) };
}

/** Reads and checks a `--binding` file. @throws UsageError */
export async function loadBindingFile(path: string, shown: string): Promise<BindingFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --binding ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--binding ${shown} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = zBindingFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new UsageError(
      `--binding ${shown}${where}: ${issue.message}; expected {"STAGE": {"NAME": INDEX}} with stages ${CLI_STAGES.join(', ')}`,
    );
  }
  for (const [stage, entries] of Object.entries(parsed.data) as [CliStage, Record<string, number | null>][]) {
    for (const key of Object.keys(entries)) checkKey(stage, key, `--binding ${shown}`);
  }
  return parsed.data;
}

/**
 * The binding of every stage: the bundled one, replaced per stage by the file's entry for it,
 * then changed key by key by the `--bind` flags (in order).
 */
export function stageBindings(file: BindingFile | undefined, binds: readonly BindFlag[]): StageBindings {
  const out = {} as Record<CliStage, Record<string, number>>;
  for (const stage of CLI_STAGES) {
    const given = file?.[stage];
    const base: Record<string, number | null> = given ? { ...given } : { ...BUNDLED_BINDINGS[stage] };
    for (const b of binds) if (b.stage === stage) base[b.key] = b.index;
    out[stage] = Object.fromEntries(Object.entries(base).filter((e): e is [string, number] => e[1] !== null));
  }
  return out;
}

function isStage(name: string): name is CliStage {
  return (CLI_STAGES as readonly string[]).includes(name);
}

function checkKey(stage: CliStage, key: string, where: string): void {
  if (!STAGE_KEYS[stage].includes(key)) {
    throw new UsageError(`${where}: stage '${stage}' has no input named '${key}'; it binds ${STAGE_KEYS[stage].join(', ')}`);
  }
}
