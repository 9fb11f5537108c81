// A set of field paths (fieldpath.Set) as a tree: each node is one path element, a member of the set
// or not, with children below it. It reads and writes the FieldsV1 JSON of managedFields.
import { compareElements, FieldPathError, parseElement, serializeElement, type Path, type PathElement } from './path.js';

/** The `fieldsV1` object of a managedFields entry: `{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`. */
export type FieldsV1 = { [key: string]: FieldsV1 };

interface Node {
  readonly pe: PathElement;
  member: boolean;
  readonly children: Map<string, Node>;
}

const newNode = (pe: PathElement): Node => ({ pe, member: false, children: new Map() });

function copyInto(into: Map<string, Node>, from: ReadonlyMap<string, Node>): void {
  for (const [k, n] of from) {
    let target = into.get(k);
    if (!target) into.set(k, (target = newNode(n.pe)));
    target.member ||= n.member;
    copyInto(target.children, n.children);
  }
}

/** Drops nodes that are neither members nor have members below them. */
function prune(nodes: Map<string, Node>): void {
  for (const [k, n] of nodes) {
    prune(n.children);
    if (!n.member && n.children.size === 0) nodes.delete(k);
  }
}

const sorted = (nodes: ReadonlyMap<string, Node>): Node[] => [...nodes.values()].sort((a, b) => compareElements(a.pe, b.pe));

/** An immutable-by-convention set of paths; every operation returns a new set. */
export class FieldSet {
  private constructor(private readonly root: Map<string, Node>) {}

  static empty(): FieldSet {
    return new FieldSet(new Map());
  }

  static of(...paths: Path[]): FieldSet {
    const s = FieldSet.empty();
    for (const p of paths) s.insertMut(p);
    return s;
  }

  /** Reads FieldsV1; a bad key throws FieldPathError. A `.` key makes the enclosing element a member. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const read = (obj: unknown, into: Map<string, Node>): void => {
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new FieldPathError('managedFields parsing: expected an object');
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        if (k === '.') continue;
        const pe = parseElement(k);
        const node = newNode(pe);
        const entries = typeof v === 'object' && v !== null ? Object.keys(v) : [];
        node.member = entries.length === 0 || entries.includes('.');
        read(v, node.children);
        into.set(serializeElement(pe), node);
      }
    };
    const root = new Map<string, Node>();
    read(fields ?? {}, root);
    return new FieldSet(root);
  }

  /** FieldsV1 as Kubernetes writes it: sorted elements, `.` only for a member that also has children. */
  toFieldsV1(): FieldsV1 {
    const emit = (nodes: ReadonlyMap<string, Node>, self: boolean): FieldsV1 => {
      const out: FieldsV1 = {};
      if (self && nodes.size > 0) out['.'] = {};
      for (const n of sorted(nodes)) out[serializeElement(n.pe)] = emit(n.children, n.member);
      return out;
    };
    return emit(this.root, false);
  }

  private insertMut(path: Path): void {
    if (path.length === 0) return; // the whole object is never owned
    let nodes = this.root;
    path.forEach((pe, i) => {
      const k = serializeElement(pe);
      let n = nodes.get(k);
      if (!n) nodes.set(k, (n = newNode(pe)));
      if (i === path.length - 1) n.member = true;
      nodes = n.children;
    });
  }

  insert(path: Path): FieldSet {
    const s = this.copy();
    s.insertMut(path);
    return s;
  }

  private copy(): FieldSet {
    const root = new Map<string, Node>();
    copyInto(root, this.root);
    return new FieldSet(root);
  }

  private find(path: Path): Node | undefined {
    let nodes: ReadonlyMap<string, Node> = this.root;
    let n: Node | undefined;
    for (const pe of path) {
      n = nodes.get(serializeElement(pe));
      if (!n) return undefined;
      nodes = n.children;
    }
    return n;
  }

  has(path: Path): boolean {
    return this.find(path)?.member ?? false;
  }

  isEmpty(): boolean {
    return this.size() === 0;
  }

  size(): number {
    let count = 0;
    const walk = (nodes: ReadonlyMap<string, Node>): void => {
      for (const n of nodes.values()) {
        if (n.member) count++;
        walk(n.children);
      }
    };
    walk(this.root);
    return count;
  }

  /** Member paths in Kubernetes' order (depth-first, sorted). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (nodes: ReadonlyMap<string, Node>, prefix: Path): void => {
      for (const n of sorted(nodes)) {
        const p = [...prefix, n.pe];
        if (n.member) out.push(p);
        walk(n.children, p);
      }
    };
    walk(this.root, []);
    return out;
  }

  union(other: FieldSet): FieldSet {
    const s = this.copy();
    copyInto(s.root, other.root);
    return s;
  }

  intersection(other: FieldSet): FieldSet {
    const walk = (a: ReadonlyMap<string, Node>, b: ReadonlyMap<string, Node>, into: Map<string, Node>): void => {
      for (const [k, n] of a) {
        const m = b.get(k);
        if (!m) continue;
        const out = newNode(n.pe);
        out.member = n.member && m.member;
        walk(n.children, m.children, out.children);
        into.set(k, out);
      }
    };
    const root = new Map<string, Node>();
    walk(this.root, other.root, root);
    prune(root);
    return new FieldSet(root);
  }

  /** Members of this set that are not members of `other` (Set.Difference: a member of `other` does not remove children). */
  difference(other: FieldSet): FieldSet {
    const s = this.copy();
    const walk = (a: Map<string, Node>, b: ReadonlyMap<string, Node>): void => {
      for (const [k, n] of a) {
        const m = b.get(k);
        if (!m) continue;
        if (m.member) n.member = false;
        walk(n.children, m.children);
      }
    };
    walk(s.root, other.root);
    prune(s.root);
    return s;
  }

  /** Like `difference`, but a member of `other` also removes everything below it (Set.RecursiveDifference). */
  recursiveDifference(other: FieldSet): FieldSet {
    const s = this.copy();
    const walk = (a: Map<string, Node>, b: ReadonlyMap<string, Node>): void => {
      for (const [k, n] of a) {
        const m = b.get(k);
        if (!m) continue;
        if (m.member) a.delete(k);
        else walk(n.children, m.children);
      }
    };
    walk(s.root, other.root);
    prune(s.root);
    return s;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }
}
