// How server-side apply sees the shape of a built-in kind: which objects are structs (named fields),
// which are maps (each entry owned on its own), which are atomic (owned whole), and how each list is
// tracked. Lists follow the strategic-merge-patch tags (patchMetaForKind), as Kubernetes' OpenAPI→SMD
// conversion does: merged by key → associative list, merged without key → set, anything else → atomic.
import type { JsonValue } from '../patch/json-patch.js';
import { patchMetaForKind } from '../patch/patch-schema-table.js';
import type { PatchMeta } from '../patch/schema.js';
import type { PatchMetaLookup } from '../patch/schema.js';

export type ListType =
  | { readonly type: 'atomic' }
  | { readonly type: 'set' }
  | { readonly type: 'map'; readonly keys: readonly string[] };

/** What a node holding an object is: a struct of named fields, a granular map, or one atomic value. */
export type ObjectKind = 'struct' | 'map' | 'atomic';

export interface TypeNode {
  readonly objectKind: ObjectKind;
  readonly list: ListType;
  field(name: string): TypeNode;
  /** The node of a list's items. */
  element(): TypeNode;
  /** Default values of list-map keys an item may omit (`protocol: TCP` for ports). */
  keyDefault(key: string): JsonValue | undefined;
}

const core = (t: string): string => `io.k8s.api.core.v1.${t}`;

/** `x-kubernetes-list-map-keys` that differ from the patch merge key (SSA keys ports by port and protocol). */
const listMapKeys: Readonly<Record<string, readonly string[]>> = {
  [`${core('Container')}.ports`]: ['containerPort', 'protocol'],
  [`${core('EphemeralContainer')}.ports`]: ['containerPort', 'protocol'],
  [`${core('ServiceSpec')}.ports`]: ['port', 'protocol'],
  [`${core('PodSpec')}.topologySpreadConstraints`]: ['topologyKey', 'whenUnsatisfiable'],
};
const keyDefaults: Readonly<Record<string, JsonValue>> = { protocol: 'TCP' };

/** Go `map[string]…` fields: every entry is owned on its own (labels, data, resource quantities, …). */
const mapFields = new Set(['labels', 'annotations', 'nodeSelector', 'data', 'binaryData', 'stringData', 'matchLabels', 'limits', 'requests', 'capacity', 'allocatable', 'hard', 'used', 'overhead']);
/** Structs with `+structType=atomic`, owned whole (LabelSelector, the env var sources). */
const atomicStructs = new Set(['selector', 'labelSelector', 'namespaceSelector', 'configMapKeyRef', 'secretKeyRef', 'fieldRef', 'resourceFieldRef']);
/** Structs whose `selector` is a plain label map rather than a LabelSelector. */
const mapSelectors = new Set([core('ServiceSpec'), core('ReplicationControllerSpec')]);
/** Lists whose items are atomic structs (OwnerReference, LocalObjectReference). */
const atomicItems = new Set(['ownerReferences', 'imagePullSecrets']);

class TypedNode implements TypeNode {
  constructor(
    /** The struct type of this node's value (or of its items), as patch-schema-table names it. */
    private readonly lookup: PatchMetaLookup,
    private readonly name: string,
    private readonly parentType: string | undefined,
    private readonly meta: PatchMeta,
    private readonly inMap: boolean,
    private readonly item: boolean,
  ) {}

  get objectKind(): ObjectKind {
    if (this.item) return atomicItems.has(this.name) ? 'atomic' : 'struct';
    if (this.inMap) return 'struct';
    if (this.name === 'selector' && this.parentType !== undefined && mapSelectors.has(this.parentType)) return 'map';
    if (mapFields.has(this.name)) return 'map';
    if (atomicStructs.has(this.name)) return 'atomic';
    return 'struct';
  }

  get list(): ListType {
    if (!this.meta.strategies.includes('merge')) return { type: 'atomic' };
    if (!this.meta.mergeKey) return { type: 'set' };
    return { type: 'map', keys: listMapKeys[`${this.parentType ?? ''}.${this.name}`] ?? [this.meta.mergeKey] };
  }

  field(name: string): TypeNode {
    const { sub, meta } = this.lookup.lookup(name);
    return new TypedNode(sub, name, this.lookup.typeName, meta, this.objectKind === 'map', false);
  }

  element(): TypeNode {
    return new TypedNode(this.lookup, this.name, this.parentType, { strategies: [], mergeKey: '' }, false, true);
  }

  keyDefault(key: string): JsonValue | undefined {
    return keyDefaults[key];
  }
}

/** A schema-less type (SMD's "deduced"): every object is a granular map, every list atomic. */
class DeducedNode implements TypeNode {
  readonly objectKind: ObjectKind = 'map';
  readonly list: ListType = { type: 'atomic' };
  field(): TypeNode {
    return this;
  }
  element(): TypeNode {
    return this;
  }
  keyDefault(): undefined {
    return undefined;
  }
}

/** The root of a built-in kind (`group` "" for core). */
export function typeForKind(group: string, kind: string): TypeNode {
  const root = patchMetaForKind(group, kind);
  return new TypedNode(root, '', undefined, { strategies: [], mergeKey: '' }, false, false);
}

/** The deduced type, for objects without a schema (custom resources without one). */
export const deducedType: TypeNode = new DeducedNode();
