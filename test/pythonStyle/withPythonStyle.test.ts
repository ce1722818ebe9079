import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import { InvokeAIClient, withPythonStyle } from '../../src/pythonStyle/index.js';
import { boardDto } from '../support/builders.js';
import { fakeClient } from '../support/fakeClient.js';

describe('withPythonStyle', () => {
  it('keeps every member of the core client, live, and adds the repos', async () => {
    const core = fakeClient({ boards: { listAll: () => of([boardDto({ board_id: 'b1', board_name: 'stage' })]) } });
    const client = withPythonStyle(core);
    expect(client.queue).toBe(core.queue);
    expect(client.config).toBe(core.config);
    // Members the core client has beyond the interface stay reachable (here the fake's call log).
    const board = await client.boardRepo.getBoardHandle('stage');
    expect(board.boardId).toBe('b1');
    expect(client.callsTo('boards.listAll')).toHaveLength(1);
  });

  it('makes each repo once, on first use', () => {
    const client = withPythonStyle(fakeClient());
    expect(client.workflowRepo).toBe(client.workflowRepo);
    expect(client.boardRepo).toBe(client.boardRepo);
  });

  it('leaves the core client without repos', () => {
    const core = createInvokeAIClient({ baseUrl: 'http://127.0.0.1:9', socketFactory: null });
    void withPythonStyle(core).boardRepo;
    expect('workflowRepo' in core).toBe(false);
    expect('boardRepo' in core).toBe(false);
  });

  it('InvokeAIClient.fromUrl gives a core client with the repos; close() reaches the core', () => {
    const client = InvokeAIClient.fromUrl('http://127.0.0.1:9/invoke/api/v1', { socketFactory: null });
    expect(client.config.basePath).toBe('/invoke');
    expect(typeof client.workflowRepo.createWorkflow).toBe('function');
    expect(typeof client.boards.removeImage).toBe('function');
    expect(() => client.close()).not.toThrow();
  });
});
