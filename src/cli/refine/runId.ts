import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors/UsageError.js';

/** What a run id may look like: it names the run on the server and in `clean --run-id`. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A `--run-id` value, checked. @throws UsageError when it is empty or has other characters. */
export function runIdFlag(value: string | undefined, flag = '--run-id'): string | undefined {
  if (value === undefined) return undefined;
  if (!RUN_ID.test(value)) {
    throw new UsageError(`${flag} expects 1 to 128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A new run id: readable (the date and time it started) and unique (random suffix), e.g. `refine-20240601-142233-3f9a1c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `refine-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The stable key of one chain in the run: its prompt's number and its variation. A rerun of the
 * same command maps each chain to the same work on the server; `attempt` > 0 is a chain made
 * again from its prompt because the server lost an input image (new work, new places).
 */
export function chainKey(chain: { variation: number; prompt?: { index: number } }, attempt = 0): string {
  const key = `${chain.prompt ? `p${chain.prompt.index}-` : ''}v${chain.variation}`;
  return attempt === 0 ? key : `${key}-again${attempt}`;
}
