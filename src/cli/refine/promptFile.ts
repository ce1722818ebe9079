import * as z from 'zod';
import { UsageError } from '../errors/UsageError.js';
import { safeFileStem } from '../output/OutputDir.js';
import { SEED_LIMIT, type StageValues } from './refineSettings.js';

const zStrength = z.number().gt(0).lte(1);
const zSize = z.number().int().min(64).max(16384).multipleOf(8);

/** One JSON Lines entry of a prompt file: the prompt and its own stage values. */
export const zPromptLine = z.strictObject({
  prompt: z.string().trim().min(1),
  negative: z.string().optional(),
  seed: z.number().int().min(0).max(SEED_LIMIT - 1).optional(),
  baseSteps: z.number().int().min(1).max(10000).optional(),
  refineSteps: z.number().int().min(1).max(10000).optional(),
  refineStrength: zStrength.optional(),
  width: zSize.optional(),
  height: zSize.optional(),
  upscale: z.boolean().optional(),
  upscaleFactor: z.number().min(1).max(16).optional(),
  enhanceFace: z.boolean().optional(),
  faceStrength: zStrength.optional(),
  passes: z.number().int().min(1).max(20).optional(),
  adaptive: z.number().gt(0).lte(1).optional(),
});
export type PromptLine = z.infer<typeof zPromptLine>;

/** One prompt of a run: where it came from, its folder, and what it overrides. */
export interface PromptJob {
  /** 1-based position among the file's prompts. */
  index: number;
  /** Line number in the file (for messages). */
  line: number;
  prompt: string;
  seed?: number;
  /** Stage values of this prompt (only those it sets). */
  overrides: Partial<StageValues>;
  /** `<NNN>-<slug>`: its folder in the output directory. */
  folder: string;
}

/**
 * Parses a prompt file: one prompt per line (blank lines and `#` comments skipped), or JSON Lines
 * (`{"prompt": …}` objects, see {@link zPromptLine}); a line starting with `{` is JSON.
 * @throws UsageError naming the line of the first bad entry, or when there is no prompt.
 */
export function parsePromptFile(text: string, source: string): PromptJob[] {
  const jobs: PromptJob[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let entry: PromptLine;
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(trimmed);
      } catch (error) {
        throw new UsageError(`${source} line ${line}: not valid JSON (${(error as Error).message})`);
      }
      const parsed = zPromptLine.safeParse(json);
      if (!parsed.success) throw new UsageError(`${source} line ${line}: ${describeIssue(parsed.error.issues[0]!)}`);
      entry = parsed.data;
      if (entry.passes !== undefined && entry.adaptive !== undefined) {
        throw new UsageError(`${source} line ${line}: "passes" and "adaptive" exclude each other`);
      }
      if (entry.upscaleFactor !== undefined && entry.upscale === false) {
        throw new UsageError(`${source} line ${line}: "upscaleFactor" has no effect with "upscale": false`);
      }
      if (entry.faceStrength !== undefined && entry.enhanceFace === false) {
        throw new UsageError(`${source} line ${line}: "faceStrength" has no effect with "enhanceFace": false`);
      }
    } else {
      entry = { prompt: trimmed };
    }
    const { prompt, seed, ...overrides } = entry;
    const index = jobs.length + 1;
    const slug = safeFileStem(prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-'), 40);
    jobs.push({ index, line, prompt, ...(seed !== undefined ? { seed } : {}), overrides, folder: `${String(index).padStart(3, '0')}-${slug}` });
  });
  if (jobs.length === 0) throw new UsageError(`${source} has no prompts (blank lines and # comments are skipped)`);
  return jobs;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(zPromptLine.shape).join(', ')}`;
  }
  const path = issue.path.length ? `"${issue.path.join('.')}"` : 'the line';
  return `${path}: ${issue.message}`;
}
