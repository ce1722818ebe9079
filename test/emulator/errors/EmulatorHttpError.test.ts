import { describe, expect, it } from 'vitest';
import { EmulatorHttpError, isEmulatorHttpError, validationError } from '../../../src/emulator/errors/EmulatorHttpError.js';
import { HttpError } from '../../../src/errors/HttpError.js';
import { isAuthError, isHttpError, isInvokeAIError } from '../../../src/errors/guards.js';

describe('EmulatorHttpError', () => {
  const server = new EmulatorHttpError(404, 'Not Found');

  it('is not the client error: the client guards, which also match by name, reject it', () => {
    expect(server.name).not.toBe('HttpError');
    expect(isHttpError(server)).toBe(false);
    expect(isAuthError(new EmulatorHttpError(401, 'Authentication required'))).toBe(false);
    expect(isInvokeAIError(server)).toBe(false);
    // A copy from another bundle (same name, other class) is rejected as well.
    const copy = Object.assign(new Error('404: Not Found'), { name: server.name, status: 404 });
    expect(isHttpError(copy)).toBe(false);
  });

  it('has its own guard, which rejects the client error', () => {
    expect(isEmulatorHttpError(server)).toBe(true);
    expect(isEmulatorHttpError(validationError([{ loc: ['body'], msg: 'Field required', type: 'missing' }]))).toBe(true);
    expect(isEmulatorHttpError(Object.assign(new Error('x'), { name: 'EmulatorHttpError' }))).toBe(true);
    expect(isEmulatorHttpError(new HttpError({ method: 'GET', url: 'http://127.0.0.1/x', status: 404 }))).toBe(false);
  });

  it('carries FastAPI detail and headers', () => {
    const e = new EmulatorHttpError(401, 'Invalid token', { 'www-authenticate': 'Bearer' });
    expect(e).toMatchObject({ status: 401, detail: 'Invalid token', headers: { 'www-authenticate': 'Bearer' }, message: '401: Invalid token' });
    expect(validationError([{ loc: ['body', 'x'], msg: 'm', type: 't' }])).toMatchObject({ status: 422, detail: [{ loc: ['body', 'x'] }] });
  });
});
