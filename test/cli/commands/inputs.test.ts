import { describe, expect, it } from 'vitest';
import { WITH_6_14 } from '../../support/fieldTable.js';
import { runCli } from '../../../src/cli/runCli.js';
import { loadWorkflowFile } from '../../../src/workflow/loadWorkflowFile.js';
import { FIXTURES, listWorkflowFiles } from '../../workflow/fixtures.js';
import { fakeIo } from '../fakeCliIo.js';

describe('invokeai-rx inputs', () => {
  it.each(listWorkflowFiles())('%s: --json lists every input', async (name, path) => {
    const io = fakeIo(FIXTURES);
    expect(await runCli(['inputs', name, '--json'], io)).toBe(0);
    expect(io.stderr()).toBe('');
    const listed = JSON.parse(io.stdout());
    const wf = loadWorkflowFile(path, WITH_6_14);
    expect(listed).toHaveLength(wf.inputs.length);
    listed.forEach((row: any, i: number) => {
      expect(row).toMatchObject({ index: i, nodeId: wf.inputs[i]!.nodeId, fieldName: wf.inputs[i]!.fieldName, label: wf.inputs[i]!.label, kind: wf.inputs[i]!.kind });
      expect(row).toHaveProperty('value');
      expect(row.value).toEqual(wf.inputs[i]!.value ?? null);
    });
  });

  it.each(listWorkflowFiles())('%s: prints a table', async (name, path) => {
    const io = fakeIo(FIXTURES);
    expect(await runCli(['inputs', name], io)).toBe(0);
    const lines = io.stdout().trimEnd().split('\n');
    const count = loadWorkflowFile(path, WITH_6_14).inputs.length;
    if (count === 0) expect(lines).toEqual(['This workflow has no form inputs.']);
    else expect(lines).toHaveLength(count + 1);
  });

  it('shows index, label, node type, field, kind and a truncated value', async () => {
    const io = fakeIo(FIXTURES);
    await runCli(['inputs', 'workflows/py-client/sdxl-flux-refine.json'], io);
    const lines = io.stdout().split('\n');
    expect(lines[0]).toMatch(/^ #\s+label\s+node type\s+field\s+kind\s+value$/);
    expect(lines[1]).toMatch(/^ 0\s+Positive Prompt\s+string\s+value\s+string\s+"beautiful young-- girl, relax, garden, full \.\.\.$/);
    expect(lines[5]).toMatch(/^ 4\s+SDXL Model\s+sdxl_model_loader\s+model\s+model\s+sdxlUnstableDiffusers_v9DIVINITYMACHINE \(sdxl\.\.\.$/);
    expect(lines[17]).toMatch(/^16\s+Output Board\s+save_image\s+board\s+board\s+a17c2b12-d25a-4e41-9217-d94a543b9e73$/);
  });

  it('reports a missing file on one line, exit 1', async () => {
    const io = fakeIo(FIXTURES);
    expect(await runCli(['inputs', 'nope.json'], io)).toBe(1);
    expect(io.stderr()).toMatch(/^invokeai-rx inputs: Cannot read workflow .*nope\.json: no such file\. [^\n]*\n$/);
  });

  it('exits 2 on usage errors and 0 on --help', async () => {
    for (const argv of [['inputs'], ['inputs', 'a.json', 'b.json'], ['inputs', 'a.json', '--bogus'], ['inputs', 'a.json', '--json=1']]) {
      const io = fakeIo(FIXTURES);
      expect(await runCli(argv, io)).toBe(2);
      expect(io.stderr()).toContain('usage: invokeai-rx inputs');
    }
    const io = fakeIo(FIXTURES);
    expect(await runCli(['inputs', '--help'], io)).toBe(0);
    expect(io.stdout()).toContain('usage: invokeai-rx inputs');
  });
});
