// The patch metadata a strategic merge patch needs: for each Go struct, which fields are lists merged
// by a key, primitive lists merged as sets, maps replaced whole, or structs cleared by `$retainKeys`.
// The Kubernetes data lives in patch-schema-table.ts; this file is the lookup over it.

/** A Go `patchStrategy` struct tag, verbatim. */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export interface FieldPatchInfo {
  /** The struct type of the field (the element type for a list), a key of the schema. Omit for leaves. */
  readonly type?: string;
  readonly strategy?: PatchStrategy;
  /** The `patchMergeKey` of a list of structs merged by key. */
  readonly mergeKey?: string;
}

/** Struct type name → JSON field name → patch info. Fields absent from a struct merge as maps / replace as lists. */
export type PatchSchema = Readonly<Record<string, Readonly<Record<string, FieldPatchInfo>>>>;

/** What `LookupPatchMetadataForStruct`/`ForSlice` return: the sub-schema and the field's tags. */
export interface PatchMeta {
  readonly strategies: readonly string[];
  readonly mergeKey: string;
}

/**
 * A position in a schema (a Go struct type). An unknown type, or no type at all, has no metadata:
 * everything below it merges maps recursively and replaces lists — the same result Go gives for
 * fields without tags. (Go errors on a field its struct lacks only when both sides hold a map or
 * list there; unknown fields are accepted here instead.)
 */
export class PatchMetaLookup {
  constructor(
    private readonly schema: PatchSchema,
    readonly typeName?: string,
  ) {}

  /** Go's `LookupPatchMetadataForStruct` and `ForSlice` (identical here: `type` names the element type for lists). */
  lookup(key: string): { readonly sub: PatchMetaLookup; readonly meta: PatchMeta } {
    const fields = this.typeName !== undefined && Object.hasOwn(this.schema, this.typeName) ? this.schema[this.typeName] : undefined;
    const info = fields && Object.hasOwn(fields, key) ? fields[key] : undefined;
    return {
      sub: new PatchMetaLookup(this.schema, info?.type),
      meta: { strategies: info?.strategy ? info.strategy.split(',') : [], mergeKey: info?.mergeKey ?? '' },
    };
  }

  /** Go's `Name()` (the reflect kind), used in `cannot merge lists without merge key for struct`. */
  name(): string {
    return 'struct';
  }
}
