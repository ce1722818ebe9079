import { describe, expect, it } from 'vitest';
import { buildUrl, redactUrl } from '../../src/http/url.js';

describe('buildUrl', () => {
  it.each([
    ['http://h:9090', '', '/api/v1/app/version', undefined, 'http://h:9090/api/v1/app/version'],
    ['http://h:9090', '/invoke', '/api/v1/app/version', undefined, 'http://h:9090/invoke/api/v1/app/version'],
    ['https://h', '/a/b', '/openapi.json', undefined, 'https://h/a/b/openapi.json'],
    ['http://h', '', '/api/v1/boards/', { all: true }, 'http://h/api/v1/boards/?all=true'],
    ['http://h', '', '/api/v2/models/', { base_models: ['sdxl', 'flux'], model_type: 'main' }, 'http://h/api/v2/models/?base_models=sdxl&base_models=flux&model_type=main'],
    ['http://h', '', '/x', { a: undefined, b: null, c: 0, d: false }, 'http://h/x?c=0&d=false'],
    ['http://h', '', '/api/v1/boards/', { board_name: 'a b&c' }, 'http://h/api/v1/boards/?board_name=a+b%26c'],
  ] as const)('%s + %s + %s %j → %s', (origin, basePath, path, query, expected) => {
    expect(buildUrl(origin, basePath, path, query)).toBe(expected);
  });

  it('rejects a relative path', () => {
    expect(() => buildUrl('http://h', '', 'api/v1')).toThrow(TypeError);
  });
});

describe('redactUrl', () => {
  it('removes user-info credentials', () => {
    expect(redactUrl('http://user:secret@h/x')).toBe('http://h/x');
  });
  it('leaves other URLs unchanged', () => {
    expect(redactUrl('http://h:9090/x?y=1')).toBe('http://h:9090/x?y=1');
  });
});
