import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/errors/HttpError.js';
import { AuthError } from '../../src/errors/AuthError.js';
import { NetworkError } from '../../src/errors/NetworkError.js';
import { RequestTimeoutError } from '../../src/errors/RequestTimeoutError.js';
import { SchemaError } from '../../src/errors/SchemaError.js';
import {
  DEFAULT_RETRY_OPTIONS,
  isRetryable,
  parseRetryAfter,
  resolveRetryOptions,
  retryDelay,
} from '../../src/http/retry.js';

const req = { method: 'GET', url: 'http://h/x' };
const http = (status: number, retryAfter: number | null = null) => new HttpError({ ...req, status, retryAfter });
const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });

describe('isRetryable', () => {
  it.each([
    [http(429), true, true],
    [http(502), true, true],
    [http(503), true, true],
    [http(504), true, true],
    [http(500), true, true],
    [http(500), false, false],
    [http(400), true, false],
    [http(404), true, false],
    [http(422), true, false],
    [new AuthError({ ...req, status: 401, hadToken: false }), true, false],
    [new NetworkError({ ...req, cause: new Error('reset'), ambiguous: true }), true, true],
    [new RequestTimeoutError({ ...req, timeout: 10 }), true, true],
    [new SchemaError({ ...req, issues: [] }), true, false],
    [abort, true, false],
    [new Error('other'), true, false],
    // Non-idempotent: only when the server cannot have acted.
    [http(429), false, true],
    [http(503), false, false],
    [http(502), false, false],
    [new NetworkError({ ...req, cause: new Error('reset'), ambiguous: true }), false, false],
    [new NetworkError({ ...req, cause: new Error('refused'), ambiguous: false }), false, true],
    [new RequestTimeoutError({ ...req, timeout: 10 }), false, false],
    [abort, false, false],
  ] as const)('%s (idempotent %s) → %s', (error, idempotent, expected) => {
    expect(isRetryable(error, { idempotent })).toBe(expected);
  });

  it('uses the configured status list', () => {
    expect(isRetryable(http(500), { idempotent: true }, { statusCodes: [500] })).toBe(true);
    expect(isRetryable(http(503), { idempotent: true }, { statusCodes: [500] })).toBe(false);
  });
});

describe('retryDelay', () => {
  const noJitter = { baseDelay: 100, backoffLimit: 1000, jitter: false };
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [10, 1000],
  ])('exponential, attempt %i → %i ms', (attempt, expected) => {
    expect(retryDelay(attempt, http(503), noJitter)).toBe(expected);
  });

  it.each([
    [0, 0],
    [0.5, 200],
    [0.999, 399],
  ])('full jitter with random() = %s → %i ms (attempt 3)', (r, expected) => {
    expect(retryDelay(3, http(503), { ...noJitter, jitter: true }, () => r)).toBe(expected);
  });

  it('uses Retry-After instead of backoff, without jitter', () => {
    expect(retryDelay(1, http(429, 700), { ...noJitter, jitter: true }, () => 0)).toBe(700);
  });

  it('caps Retry-After at backoffLimit', () => {
    expect(retryDelay(1, http(429, 60_000), noJitter)).toBe(1000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-08-20T10:00:00Z');
  it.each([
    [null, null],
    ['', null],
    ['3', 3000],
    ['0', 0],
    ['1.5', 1500],
    ['Thu, 20 Aug 2026 10:00:05 GMT', 5000],
    ['Thu, 20 Aug 2026 09:59:00 GMT', 0],
    ['soon', null],
  ])('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('resolveRetryOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveRetryOptions({ limit: 1 })).toEqual({ ...DEFAULT_RETRY_OPTIONS, limit: 1 });
  });
  it.each([{ limit: -1 }, { limit: 1.5 }, { baseDelay: Number.NaN }, { backoffLimit: -5 }])('rejects %j', (options) => {
    expect(() => resolveRetryOptions(options)).toThrow(TypeError);
  });
});
