import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ReaderWarning } from '../../src/client/warnings.js';
import { invalidEventWarnings } from '../../src/events/invalidEventWarnings.js';

const issues = z.object({ item_id: z.number() }).safeParse({ item_id: 'x' }).error!.issues;

describe('invalidEventWarnings', () => {
  it('warns at the first invalid payload, then at most once per interval with the count since the last warning', () => {
    let now = 0;
    const warnings: ReaderWarning[] = [];
    const report = invalidEventWarnings((w) => warnings.push(w), { interval: 1000, now: () => now });
    report('invocation_progress', issues);
    now = 10;
    report('invocation_progress', issues);
    now = 500;
    report('queue_item_status_changed', issues);
    expect(warnings).toHaveLength(1);
    now = 1000;
    report('invocation_complete', issues);
    expect(warnings.map((w) => w.kind === 'invalid-events' && [w.event, w.count, w.total])).toEqual([
      ['invocation_progress', 1, 1],
      ['invocation_complete', 3, 4],
    ]);
    expect(warnings[0]!.message).toContain('item_id: ');
    expect(warnings[1]!.message).toContain('3 socket events');
  });
});
