import { UsageError } from './errors/UsageError.js';

/**
 * Checks where a command was told to connect: `embedded`, or an `http://` / `https://` URL.
 * Anything else (`127.0.0.1:9090`, `ftp://…`) is a usage error, found before anything is written
 * or connected. `source` names where the value came from, for the message.
 * @throws UsageError
 */
export function checkServerUrl(value: string, source: '--server' | 'INVOKEAI_URL'): string {
  if (value === 'embedded') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    const hint = /^[\w.-]+:\d+/.test(value) ? ` (did you mean http://${value}?)` : '';
    throw new UsageError(`${source} expects an http:// or https:// URL or 'embedded', got '${value}'${hint}`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${source} must not contain credentials; pass the token with --token or INVOKEAI_TOKEN`);
  }
  return value;
}
