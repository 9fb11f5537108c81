import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { failure } from './status.js';

/**
 * Reads a request body up to `limit` bytes. Past the limit the request is refused with 413
 * RequestEntityTooLarge (kube-apiserver's limit for a single object is 3 MiB on the wire; EKS's etcd holds
 * 1.5 MiB objects, which is what the lab enforces).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number) {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export type BodyFormat = 'json' | 'yaml';

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

/** Decodes a JSON or YAML body into an object; malformed input is 400 BadRequest with the parser's words. */
export function decodeObject(body: Buffer, format: BodyFormat): Record<string, unknown> {
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(body.toString('utf8')) : parseYaml(body.toString('utf8'));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw failure(400, 'BadRequest', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml: ${detail}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw failure(400, 'BadRequest', `the body of the request must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
