import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/runCli.js';
import { zEnqueueBatchBody } from '../../../src/schemas/graph.js';
import { FIXTURES, listWorkflowFiles, STALE_WORKFLOWS } from '../../workflow/fixtures.js';
import { fakeIo } from '../fakeCliIo.js';

async function payload(...argv: string[]) {
  const io = fakeIo(FIXTURES);
  const code = await runCli(['payload', ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('invokeai-rx payload', () => {
  it.each(listWorkflowFiles())('%s: prints a valid enqueue_batch body', async (name) => {
    const stale = STALE_WORKFLOWS.has(name);
    const { code, out, err } = await payload(name);
    if (stale) {
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toMatch(/^invokeai-rx payload: Unknown node type .*canny_image_processor[^\n]*\n$/);
      const dropped = await payload(name, '--drop-unknown-nodes');
      expect(dropped.code).toBe(0);
      expect(dropped.err).toContain('warning: node');
      expect(zEnqueueBatchBody.safeParse(JSON.parse(dropped.out)).success).toBe(true);
    } else {
      expect(code).toBe(0);
      expect(err).toBe('');
      const body = JSON.parse(out);
      expect(Object.keys(body)).toEqual(['prepend', 'batch']);
      expect(body.prepend).toBe(false);
      expect(zEnqueueBatchBody.safeParse(body).success).toBe(true);
      expect(out).toContain('\n  "batch": {');
    }
  });

  it('applies --set by index and by label, parsing values as JSON when they parse', async () => {
    const { code, out } = await payload(
      'workflows/py-client/sdxl-text-to-image.json',
      '--set',
      '1=a red fox',
      '--set=5=12',
      '--set',
      'Scheduler=euler_a',
      '--set',
      '2="42"',
      '--json',
    );
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    const nodes = JSON.parse(out).batch.graph.nodes;
    expect(nodes['positive_prompt:kjUMdcg0zO'].value).toBe('a red fox');
    expect(nodes['484ecc77-b7a0-4e19-b793-cc313f20fbe6'].value).toBe('42');
    expect(nodes['denoise_latents:TRC0Y88EWe']).toMatchObject({ steps: 12, scheduler: 'euler_a' });
  });

  it('reproduces the copy-image example body', async () => {
    const { out } = await payload('workflows/py-client/copy-image.json', '--set', '0=abc.png', '--set', 'Destination Board=board-123');
    const body = JSON.parse(out);
    expect(body.batch.graph.nodes).toEqual({
      'node-save': {
        id: 'node-save',
        type: 'save_image',
        image: { image_name: 'abc.png' },
        board: { board_id: 'board-123' },
        use_cache: false,
        is_intermediate: false,
      },
    });
    expect(body.batch).toMatchObject({ runs: 1, origin: 'workflows', destination: 'gallery', graph: { edges: [] } });
  });

  it('reports bad values on one line, exit 1', async () => {
    const bad = await payload('workflows/py-client/sdxl-text-to-image.json', '--set', '5=7.5');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('invokeai-rx payload: Input 5 ("Steps", integer) cannot be set to 7.5: expected an integer >= 1.\n');
    const ambiguous = await payload('workflows/py-client/sdxl-flux-refine.json', '--set', 'Output Board=b');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain('indices 5, 16, 21');
    const range = await payload('workflows/py-client/sdxl-text-to-image.json', '--set', '9=x');
    expect(range.err).toContain('valid indices are 0-8');
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [[], ['a.json', '--set'], ['a.json', '--set', 'novalue'], ['a.json', '--set', '=3'], ['a.json', '--wat']]) {
      const { code, err } = await payload(...argv);
      expect(code).toBe(2);
      expect(err).toContain('usage: invokeai-rx payload');
    }
  });
});
