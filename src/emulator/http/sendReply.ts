import type { ServerResponse } from 'node:http';
import { isEmulatorHttpError } from '../errors/EmulatorHttpError.js';
import type { Reply } from './router.js';

/** Writes a reply; `head` answers a HEAD request with the GET headers and no body. */
export function sendReply(res: ServerResponse, reply: Reply, head: boolean): void {
  const headers: Record<string, string> = { ...reply.headers };
  let body: Uint8Array | undefined;
  if (reply.bytes) {
    body = reply.bytes;
    headers['content-type'] = reply.contentType ?? 'application/octet-stream';
  } else if (reply.json !== undefined) {
    body = Buffer.from(JSON.stringify(reply.json));
    headers['content-type'] = 'application/json';
  }
  headers['content-length'] = String(body?.length ?? 0);
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : body);
}

/** FastAPI's answer to an exception: `{"detail": …}` for HTTP errors, a plain-text 500 otherwise. */
export function errorReply(e: unknown): Reply {
  if (isEmulatorHttpError(e)) {
    if (e.headers['x-plain-text']) return { status: e.status, bytes: Buffer.from(String(e.detail)), contentType: 'text/plain; charset=utf-8' };
    return { status: e.status, json: { detail: e.detail }, headers: { ...e.headers } };
  }
  return { status: 500, bytes: Buffer.from('Internal Server Error'), contentType: 'text/plain; charset=utf-8' };
}
