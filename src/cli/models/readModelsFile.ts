import { readFileSync } from 'node:fs';
import type { EmulatorModel } from '../../emulator/index.js';
import { zModelConfig } from '../../index.js';
import { UsageError } from '../errors/UsageError.js';

/**
 * Reads the models an emulator should have installed from a JSON file: what `invokeai-rx models
 * --json` prints (a list of model records), or the body of a real server's `GET /api/v2/models/`
 * (`{"models": [...]}`). Every record needs string `key`, `hash`, `name`, `base` and `type`;
 * its other fields are served as they are. A record without `format` gets `checkpoint`.
 *
 * @throws UsageError naming the file and what is wrong with it.
 */
export function readModelsFile(path: string): EmulatorModel[] {
  const bad = (why: string) => new UsageError(`--models ${path}: ${why}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw bad(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad("not valid JSON; expected the output of 'invokeai-rx models --json'");
  }
  const list = Array.isArray(json) ? json : (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(list)) throw bad("expected a JSON list of model records (as 'invokeai-rx models --json' prints) or {\"models\": [...]}");
  const keys = new Set<string>();
  return list.map((record, i) => {
    const parsed = zModelConfig.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length ? ` field ${issue.path.join('.')}` : '';
      throw bad(`model ${i}${field}: ${issue.message} (each model needs string key, hash, name, base and type)`);
    }
    if (keys.has(parsed.data.key)) throw bad(`model ${i}: key ${JSON.stringify(parsed.data.key)} appears twice`);
    keys.add(parsed.data.key);
    return { ...parsed.data, format: parsed.data.format ?? 'checkpoint' };
  });
}
