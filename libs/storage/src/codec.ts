import { UnknownValueEncodingError } from './errors.js';
import type { StoredObject } from './types.js';

/**
 * Turns objects into etcd values and back. A later transformer (encryption at rest) wraps the bytes of
 * `encode` and unwraps them before `decode`, the way Kubernetes' `k8s:enc:<provider>:v1:<key>:` values do.
 */
export interface ValueCodec {
  encode(object: StoredObject): Buffer;
  /**
   * A new object the caller owns (the store stamps its resourceVersion in place). Throws
   * {@link UnknownValueEncodingError} for bytes it does not recognise.
   */
  decode(value: Buffer, key: string): StoredObject;
}

/** Marks a plain JSON value: `k8s`, NUL, `json`, NUL, then UTF-8 JSON. */
export const JSON_VALUE_PREFIX = Buffer.from('k8s\0json\0', 'latin1');
/** What Kubernetes writes before encrypted values; recognised only to give a clear error. */
export const ENCRYPTED_VALUE_PREFIX = Buffer.from('k8s:enc:', 'latin1');

/**
 * The default codec: JSON behind {@link JSON_VALUE_PREFIX}. `metadata.resourceVersion` is dropped on
 * encode (as Kubernetes does: the revision is etcd's, set on read); nothing else is changed or validated.
 */
export const jsonCodec: ValueCodec = {
  encode(object) {
    const { metadata, ...rest } = object;
    let stored: StoredObject = object;
    if (metadata && 'resourceVersion' in metadata) {
      const { resourceVersion: _dropped, ...meta } = metadata;
      stored = { ...rest, metadata: meta };
    }
    return Buffer.concat([JSON_VALUE_PREFIX, Buffer.from(JSON.stringify(stored), 'utf8')]);
  },
  decode(value, key) {
    if (!startsWith(value, JSON_VALUE_PREFIX)) {
      if (startsWith(value, ENCRYPTED_VALUE_PREFIX)) {
        const provider = value.subarray(0, 64).toString('latin1').split(':').slice(0, 4).join(':');
        throw new UnknownValueEncodingError(key, `value is encrypted (${provider}:…) and no decrypter is configured`);
      }
      throw new UnknownValueEncodingError(key, `unknown prefix ${JSON.stringify(value.subarray(0, 12).toString('latin1'))}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.subarray(JSON_VALUE_PREFIX.length).toString('utf8'));
    } catch (err) {
      throw new UnknownValueEncodingError(key, 'invalid JSON', { cause: err });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UnknownValueEncodingError(key, 'value is not a JSON object');
    }
    return parsed as StoredObject;
  },
};

/**
 * `decoded` (an object just decoded, owned by the caller) with `metadata.resourceVersion` set to
 * `revision` in place: the same object {@link withResourceVersion} would return, without copying it.
 */
export function stampResourceVersion<T extends StoredObject>(decoded: T, revision: string): T {
  const meta: unknown = decoded.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return withResourceVersion(decoded, revision);
  (meta as Record<string, unknown>)['resourceVersion'] = revision;
  return decoded;
}

/** Returns a copy of `object` with `metadata.resourceVersion` set to `revision`. */
export function withResourceVersion<T extends StoredObject>(object: T, revision: string): T {
  return { ...object, metadata: { ...object.metadata, resourceVersion: revision } };
}

function startsWith(value: Buffer, prefix: Buffer): boolean {
  return value.length >= prefix.length && value.subarray(0, prefix.length).equals(prefix);
}
