import { describe, expect, it } from 'vitest';
import {
  AuthError,
  EnqueueError,
  HttpError,
  InvokeAIError,
  NetworkError,
  QueueItemCanceledError,
  QueueItemFailedError,
  RequestTimeoutError,
  RunTimeoutError,
  SchemaError,
  formatDetail,
  isAbortError,
  isAuthError,
  isEnqueueError,
  isHttpError,
  isInvokeAIError,
  isNetworkError,
  isQueueItemCanceledError,
  isQueueItemFailedError,
  isRequestTimeoutError,
  isRunTimeoutError,
  isSchemaError,
} from '../../src/errors/index.js';
import { queueItem } from '../support/builders.js';

const req = { method: 'GET', url: 'http://h/x' };

describe('error classes', () => {
  const cases = [
    [new HttpError({ ...req, status: 404, detail: 'Not Found' }), 'HttpError', true],
    [new AuthError({ ...req, status: 401, hadToken: true }), 'AuthError', true],
    [new NetworkError({ ...req, cause: new Error('ECONNRESET'), ambiguous: true }), 'NetworkError', true],
    [new RequestTimeoutError({ ...req, timeout: 5 }), 'RequestTimeoutError', true],
    [new SchemaError({ ...req, issues: [] }), 'SchemaError', false],
    [new QueueItemFailedError({ item: queueItem({ status: 'failed' }) }), 'QueueItemFailedError', false],
    [new QueueItemCanceledError({ item: queueItem({ status: 'canceled' }) }), 'QueueItemCanceledError', false],
    [new RunTimeoutError({ phase: 'queued', timeout: 1, item_id: 1 }), 'RunTimeoutError', false],
    [new EnqueueError({ batch_id: 'b', requested: 1, enqueued: 0 }), 'EnqueueError', false],
  ] as const;

  it.each(cases)('%s has name %s; InvokeAIError: %s', (error, name, lifecycle) => {
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error instanceof InvokeAIError).toBe(lifecycle);
    expect(isInvokeAIError(error)).toBe(lifecycle);
    expect(String(error)).toContain(name);
  });

  it('AuthError is an HttpError', () => {
    const error = new AuthError({ ...req, status: 403, hadToken: true, detail: 'Admin privileges required' });
    expect(error).toBeInstanceOf(HttpError);
    expect(isHttpError(error)).toBe(true);
    expect(isAuthError(error)).toBe(true);
    expect(error.message).toContain('Admin privileges required');
    expect(error.message).toContain('rights');
  });

  it('AuthError says how to pass a token when none was sent, and to log in again when it was', () => {
    expect(new AuthError({ ...req, status: 401, hadToken: false }).message).toMatch(/requires a token.*`token`/);
    expect(new AuthError({ ...req, status: 401, hadToken: true }).message).toMatch(/invalid or expired/);
  });
});

describe('messages', () => {
  it('HttpError names status, method, URL, detail and what to do', () => {
    const error = new HttpError({ method: 'PUT', url: 'http://h/api/v1/queue/default/i/9/cancel', status: 404, statusText: 'Not Found', detail: 'Queue item with id 9 not found in queue default' });
    expect(error.message).toBe(
      'Request failed with status 404 Not Found: PUT http://h/api/v1/queue/default/i/9/cancel — Queue item with id 9 not found in queue default. ' +
        'Check that the id or name exists on this server (and the queue id / base path are right).',
    );
  });

  it('formatDetail renders FastAPI shapes', () => {
    expect(formatDetail('x')).toBe('x');
    expect(formatDetail(null)).toBe('');
    expect(formatDetail([{ loc: ['body', 'batch', 'runs'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }])).toBe(
      'body.batch.runs: Input should be greater than or equal to 1',
    );
    expect(formatDetail({ message: 'partial failure', deleted_images: [] })).toBe('partial failure');
  });

  it('QueueItemFailedError carries the server error and names node and error type', () => {
    const item = queueItem({ item_id: 42, status: 'failed', error_type: 'ZeroDivisionError', error_message: 'division by zero' });
    const error = new QueueItemFailedError({ item, node_id: 'divide' });
    expect(error.message).toMatch(/^Queue item 42 failed in node divide \(ZeroDivisionError\): division by zero\./);
    expect(error).toMatchObject({
      item_id: 42,
      batch_id: item.batch_id,
      status: 'failed',
      error_type: 'ZeroDivisionError',
      error_message: 'division by zero',
      error_traceback: item.error_traceback,
      node_id: 'divide',
      item,
    });
  });

  it('QueueItemFailedError without a node or error fields (GET /i/{id} omits nulls) still reads well', () => {
    const { error_type: _t, error_message: _m, error_traceback: _tb, ...item } = queueItem({ status: 'failed' });
    const error = new QueueItemFailedError({ item });
    expect(error.message).toMatch(/^Queue item 1 failed \(unknown error type\): the server gave no message\./);
    expect(error.node_id).toBeNull();
    expect(error.error_traceback).toBeNull();
  });

  it.each([
    ['queued', /phase 'queued'.*waited in the queue.*1000 ms.*timeouts\.queued/],
    ['running', /phase 'running'.*ran for longer than 1000 ms/],
    ['stalled', /phase 'stalled'.*no sign of progress/],
    ['total', /phase 'total'.*took longer in total/],
  ] as const)('RunTimeoutError %s', (phase, message) => {
    const error = new RunTimeoutError({ phase, timeout: 1000, item_id: 3 });
    expect(error.message).toMatch(message);
    expect(error).toMatchObject({ phase, timeout: 1000, item_id: 3 });
  });

  it('RunTimeoutError without an item', () => {
    expect(new RunTimeoutError({ phase: 'total', timeout: 5, item_id: null }).message).toContain('the run took longer');
  });

  it('NetworkError distinguishes ambiguous from not sent', () => {
    expect(new NetworkError({ ...req, cause: new Error('socket hang up'), ambiguous: true }).message).toContain('may have reached the server');
    expect(new NetworkError({ ...req, cause: new Error('connect ECONNREFUSED'), ambiguous: false }).message).toContain('could not be reached');
  });

  it('SchemaError lists at most five issues with their paths', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ code: 'custom' as const, path: ['items', i], message: 'bad', input: undefined }));
    const error = new SchemaError({ ...req, issues });
    expect(error.message).toContain('at items.0: bad; at items.1: bad');
    expect(error.message).toContain('(+2 more)');
    expect(error.message).not.toContain('items.5');
  });
});

describe('guards', () => {
  // A copy of the library loaded twice (ESM + CJS) has distinct classes: only the name matches.
  const foreign = (name: string) => Object.assign(new Error('from another copy'), { name });

  it.each([
    [isHttpError, 'HttpError'],
    [isHttpError, 'AuthError'],
    [isAuthError, 'AuthError'],
    [isNetworkError, 'NetworkError'],
    [isRequestTimeoutError, 'RequestTimeoutError'],
    [isSchemaError, 'SchemaError'],
    [isQueueItemFailedError, 'QueueItemFailedError'],
    [isQueueItemCanceledError, 'QueueItemCanceledError'],
    [isRunTimeoutError, 'RunTimeoutError'],
    [isEnqueueError, 'EnqueueError'],
  ] as const)('%o accepts an error named %s from another copy', (guard, name) => {
    expect(guard(foreign(name))).toBe(true);
    expect(guard(foreign('Error'))).toBe(false);
    expect(guard({ name })).toBe(false);
    expect(guard(undefined)).toBe(false);
  });

  it('isAuthError rejects a plain HttpError', () => {
    expect(isAuthError(new HttpError({ ...req, status: 500 }))).toBe(false);
  });

  it('isInvokeAIError accepts the marker getter of another copy', () => {
    expect(isInvokeAIError(Object.assign(new Error('x'), { isInvokeAIError: true }))).toBe(true);
    expect(isInvokeAIError(new Error('x'))).toBe(false);
  });

  it('isAbortError', () => {
    expect(isAbortError(new DOMException('aborted', 'AbortError'))).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
  });
});
