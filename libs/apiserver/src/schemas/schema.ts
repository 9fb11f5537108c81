/**
 * The subset of an OpenAPI v2 schema object the apiserver's definitions use (`definitions.json`, written
 * by `generate.ts`). `$ref`s point at `#/definitions/<name>`; the v3 documents rewrite them.
 */
export interface Schema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  $ref?: string;
  items?: Schema;
  /** v3 only: a described `$ref` (`allOf: [{ $ref }]`), Quantity's and IntOrString's alternatives. */
  allOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  required?: string[];
  'x-kubernetes-group-version-kind'?: Array<{ group: string; kind: string; version: string }>;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'map' | 'set';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-int-or-string'?: boolean;
}

export type Definitions = Record<string, Schema>;

export const refPrefix = '#/definitions/';
