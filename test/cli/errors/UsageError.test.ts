import { describe, expect, it } from 'vitest';
import { isUsageError, UsageError } from '../../../src/cli/errors/UsageError.js';
import { parseArgs } from '../../../src/cli/parseArgs.js';

describe('UsageError', () => {
  it('is what argument parsing throws, recognised by instance and by name', () => {
    let thrown: unknown;
    try {
      parseArgs(['--nope'], { flags: [], repeatable: [] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(isUsageError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('unknown option --nope');
    expect(isUsageError(Object.assign(new Error('x'), { name: 'UsageError' }))).toBe(true);
    expect(isUsageError(new Error('x'))).toBe(false);
    expect(isUsageError('UsageError')).toBe(false);
  });
});
