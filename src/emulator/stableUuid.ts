import { createHash } from 'node:crypto';

/**
 * A uuid (RFC 4122 layout, version 5 bits) derived from a name, so default model keys and user ids
 * stay the same across emulator starts and machines.
 */
export function stableUuid(name: string, namespace = 'invokeai-rx-emulator'): string {
  const h = createHash('sha1').update(`${namespace}:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A stable BLAKE3-looking hash string (`blake3:<64 hex>`) for a model name. */
export function stableModelHash(name: string): string {
  return `blake3:${createHash('sha256').update(`model:${name}`).digest('hex')}`;
}
