import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

/**
 * A TestScheduler bound to vitest. Errors in `#` frames are compared with `toEqual`, which for
 * Error instances compares name, message and own fields (so a typed error's `item_id`, `phase`,
 * … are checked too).
 */
export function createScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}
