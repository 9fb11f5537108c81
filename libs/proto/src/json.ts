// Objects travel in the resource API as the UTF-8 bytes of their Kubernetes JSON
// (RawObject.json, CreateRequest.object, ...). These two helpers are the only encoding rules.
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The JSON bytes of a Kubernetes object (or patch document). */
export function toJsonBytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/**
 * Parses JSON bytes. The result is unchecked `unknown`: validate or narrow it before use.
 * Throws on invalid UTF-8 or JSON.
 */
export function fromJsonBytes(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}
