import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvokeAIClient, WorkflowDefinition, WorkflowHandle } from '../../src/pythonStyle/index.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';

const client = () => InvokeAIClient.fromUrl('http://127.0.0.1:9', { socketFactory: null });

describe('WorkflowDefinition', () => {
  it('loads every bundled workflow with the input counts data/README.md lists', () => {
    const counts: Record<string, number> = {
      sdxl_base: 9,
      sdxl_refiner: 7,
      esrgan_upscale: 4,
      face_restore: 4,
      masked_refine: 6,
      sdxl_with_refiner: 6,
    };
    for (const [file, count] of Object.entries(counts)) {
      const definition = WorkflowDefinition.fromFile(`data/workflows/${file}.json`);
      expect(definition.source).toBe(`data/workflows/${file}.json`);
      expect(definition.version).toMatch(/^4\./);
      const wf = client().workflowRepo.createWorkflow(definition);
      expect(wf).toBeInstanceOf(WorkflowHandle);
      expect(wf.listInputs(), file).toHaveLength(count);
      expect(wf.warnings, file).toEqual([]);
    }
  });

  it('runs the guide’s "Inspect input indices" loop', () => {
    const lines: string[] = [];
    const base = client().workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_refiner.json'));
    for (const inp of base.listInputs()) {
      lines.push(`[${String(inp.inputIndex).padStart(2, '0')}] ${inp.label || inp.fieldName} :: ${inp.kind}`);
    }
    expect(lines).toEqual([
      '[00] Image :: image',
      '[01] Positive Prompt :: string',
      '[02] Negative Prompt :: string',
      '[03] Steps :: integer',
      '[04] Strength :: float',
      '[05] CFG Scale :: float',
      '[06] Board :: board',
    ]);
  });

  it('parses JSON text and objects, never keeping the caller’s object', () => {
    const text = readFileSync('data/workflows/esrgan_upscale.json', 'utf8');
    const fromText = WorkflowDefinition.fromJson(text, 'esrgan');
    const object = JSON.parse(text) as { name: string };
    const fromDict = WorkflowDefinition.fromDict(object);
    object.name = 'changed afterwards';
    expect(fromText.name).toBe(JSON.parse(text).name);
    expect(fromDict.name).toBe(fromText.name);
    expect(fromText.source).toBe('esrgan');
    expect(fromDict.source).toBe('<input>');
    expect(Object.isFrozen(fromText.raw)).toBe(true);
  });

  it('reports a missing file and invalid JSON as WorkflowParseError naming the source', () => {
    expect(() => WorkflowDefinition.fromFile('data/workflows/does_not_exist.json')).toThrow(
      expect.objectContaining({ name: 'WorkflowParseError', source: 'data/workflows/does_not_exist.json', problem: 'no such file' }),
    );
    expect(() => WorkflowDefinition.fromJson('{ not json', 'broken.json')).toThrow(/broken\.json/);
    expect(() => WorkflowDefinition.fromJson({ nodes: [] }, 'no-meta.json')).toThrow(/meta/);
  });

  it('createWorkflow also takes a parsed Workflow', () => {
    const wf = parseWorkflow(readFileSync('data/workflows/sdxl_base.json', 'utf8'));
    const handle = client().workflowRepo.createWorkflow(wf);
    expect(handle.definition.workflow).toBe(wf);
    expect(handle.workflow).toBe(wf);
  });
});
