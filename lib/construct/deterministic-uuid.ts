import { createHash } from 'node:crypto';

/** Namespace of this project's name-based UUIDs; fixed forever, since scope IDs derive from it. */
export const PROJECT_UUID_NAMESPACE = '5b0c1e0a-8f3e-5d6c-9a41-7e2f63a1c0d4';

/** An RFC 9562 version 5 (SHA-1, name-based) UUID: the same name always gives the same ID. */
export function uuidV5(name: string, namespace: string = PROJECT_UUID_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
