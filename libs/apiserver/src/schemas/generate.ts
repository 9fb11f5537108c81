// Generates definitions.json: the OpenAPI schemas of every served kind, read with the TypeScript compiler
// API from the model declarations of @kubernetes/client-node (generated upstream from Kubernetes' own
// OpenAPI document, so names, doc comments, optionality and formats are Kubernetes'). Regenerate with
//   npx tsx --tsconfig tsconfig.base.json libs/apiserver/src/schemas/generate.ts
// and commit the result; generate.test.ts fails when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { builtinPatchSchema } from '@ekslab/apimachinery';
import { resources } from '../resources.js';
import { refPrefix, type Definitions, type Schema } from './schema.js';

/** Where the generated file lives. */
export const definitionsPath = join(import.meta.dirname, 'definitions.json');

const metaPackage = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const time = `${metaPackage}.Time`;
const microTime = `${metaPackage}.MicroTime`;

/** Types of k8s.io/apimachinery's meta/v1 (the client models name them like any other `V1…` type). */
const metaTypes = new Set([
  'ObjectMeta', 'ListMeta', 'LabelSelector', 'LabelSelectorRequirement', 'OwnerReference', 'ManagedFieldsEntry',
  'Status', 'StatusDetails', 'StatusCause', 'Condition', 'DeleteOptions', 'Preconditions', 'WatchEvent',
]);

/** Extra roots beyond the served kinds and their lists: what every API answers with. */
const metaRoots = ['V1Status', 'V1DeleteOptions', 'V1WatchEvent'];

/**
 * Fields that are `resource.Quantity` in k8s.io/api (a map of them for ResourceList). The client models
 * flatten Quantity to `string`, so this is the one fact not in the declarations.
 */
const quantityFields = new Set([
  'core.ResourceRequirements.limits', 'core.ResourceRequirements.requests',
  'core.VolumeResourceRequirements.limits', 'core.VolumeResourceRequirements.requests',
  'core.NodeStatus.capacity', 'core.NodeStatus.allocatable', 'core.PodSpec.overhead',
  'core.ContainerStatus.allocatedResources', 'core.PersistentVolumeClaimStatus.capacity',
  'core.PersistentVolumeClaimStatus.allocatedResources', 'core.EmptyDirVolumeSource.sizeLimit',
  'core.ResourceFieldSelector.divisor',
]);

/** Descriptions of the wrapper types the client models inline (written for this project). */
const wrappers: Definitions = {
  [intOrString]: { description: 'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.', type: 'string', format: 'int-or-string' },
  [quantity]: { description: "Quantity is a fixed-point representation of a number, serialized as a string such as '100m', '1.5Gi' or '2e3' (or as a JSON number).", type: 'string', format: 'quantity' },
  [time]: { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.', type: 'string', format: 'date-time' },
  [microTime]: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
};

interface ModelClass {
  readonly name: string;
  readonly decl: ts.ClassDeclaration;
  /** JSON property name → OpenAPI format from the model's attributeTypeMap (`int32`, `date-time`, …). */
  readonly formats: ReadonlyMap<string, string>;
}

/** The directory of the client's generated models. */
function modelsDir(): string {
  const main = createRequire(import.meta.url).resolve('@kubernetes/client-node');
  return join(dirname(main), 'gen', 'models');
}

function loadModel(dir: string, name: string): ModelClass | undefined {
  let dts: string;
  try {
    dts = readFileSync(join(dir, `${name}.d.ts`), 'utf8');
  } catch {
    return undefined;
  }
  const file = ts.createSourceFile(`${name}.d.ts`, dts, ts.ScriptTarget.Latest, true);
  const decl = file.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name);
  if (!decl) return undefined;
  return { name, decl, formats: formatsOf(readFileSync(join(dir, `${name}.js`), 'utf8'), name) };
}

/** Reads `X.attributeTypeMap = [{ baseName, format }, …]` from the model's JavaScript. */
function formatsOf(js: string, name: string): Map<string, string> {
  const formats = new Map<string, string>();
  const file = ts.createSourceFile(`${name}.js`, js, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && ts.isPropertyAccessExpression(node.left) && node.left.name.text === 'attributeTypeMap' && ts.isArrayLiteralExpression(node.right)) {
      for (const el of node.right.elements) {
        if (!ts.isObjectLiteralExpression(el)) continue;
        const prop = (key: string) => {
          const p = el.properties.find((q): q is ts.PropertyAssignment => ts.isPropertyAssignment(q) && ts.isStringLiteral(q.name) && q.name.text === key);
          return p && ts.isStringLiteral(p.initializer) ? p.initializer.text : '';
        };
        if (prop('format')) formats.set(prop('baseName'), prop('format'));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return formats;
}

/** The doc comment of a declaration, with the generator's `\'` and `\"` escapes undone. */
function docOf(node: ts.Node): string | undefined {
  const text = ts.getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
    .join('\n')
    .replace(/\\(['"])/g, '$1')
    .trim();
  return text === '' ? undefined : text;
}

/** `V1PodSpec` → `PodSpec`; `CoreV1EndpointPort` → package `core`, `EndpointPort`. */
function splitName(className: string): { pkg?: string; version: string; type: string } {
  const m = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z].*)$/.exec(className);
  if (!m) throw new Error(`unexpected model name ${className}`);
  return { ...(m[1] ? { pkg: m[1].toLowerCase() } : {}), version: m[2]!.toLowerCase(), type: m[3]! };
}

const pkgOfGroup = (group: string): string => (group === '' ? 'core' : group.split('.')[0]!);
const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Generates every definition reachable from the served kinds, their lists and the meta roots. */
export function generateDefinitions(dir = modelsDir()): Definitions {
  const defs: Definitions = { ...wrappers };
  const defName = new Map<string, string>();
  const queue: Array<{ model: ModelClass; pkg: string; version: string }> = [];

  const nameFor = (className: string, pkg: string, version: string): string | undefined => {
    const known = defName.get(className);
    if (known) return known;
    const model = loadModel(dir, className);
    if (!model) return undefined;
    const split = splitName(className);
    const home = metaTypes.has(split.type) ? 'meta' : (split.pkg ?? pkg);
    const name = home === 'meta' ? `${metaPackage}.${split.type}` : `io.k8s.api.${home}.${version}.${split.type}`;
    defName.set(className, name);
    queue.push({ model, pkg: home, version });
    return name;
  };

  // PodTemplateSpec is core/v1 although no served core kind contains it (Deployment et al. do).
  const roots: Array<{ className: string; pkg: string; version: string; gvk?: { group: string; kind: string; version: string } }> = [
    { className: 'V1PodTemplateSpec', pkg: 'core', version: 'v1' },
  ];
  for (const info of resources) {
    const pkg = pkgOfGroup(info.group);
    const version = pascal(info.version);
    for (const kind of info.virtual ? [info.kind] : [info.kind, `${info.kind}List`]) {
      const className = [`${pascal(pkg)}${version}${kind}`, `${version}${kind}`].find((c) => loadModel(dir, c));
      if (!className) throw new Error(`no client model for ${info.group}/${info.version} ${kind}`);
      roots.push({ className, pkg, version: info.version, gvk: { group: info.group, kind, version: info.version } });
    }
  }
  for (const className of metaRoots) roots.push({ className, pkg: 'meta', version: 'v1', ...(className === 'V1Status' ? { gvk: { group: '', kind: 'Status', version: 'v1' } } : {}) });

  // Breadth-first from each root in turn (core first, as resources.ts lists it), so a type shared by
  // several packages lands in the first one that uses it: PodTemplateSpec is core, not apps.
  for (const root of roots) {
    const name = nameFor(root.className, root.pkg, root.version)!;
    while (queue.length > 0) {
      const { model, pkg, version } = queue.shift()!;
      const schema = schemaOfClass(model, pkg, defName.get(model.name)!, (ref) => nameFor(ref, pkg, version));
      defs[defName.get(model.name)!] = schema;
    }
    if (root.gvk) defs[name] = { ...defs[name], 'x-kubernetes-group-version-kind': [root.gvk] };
  }
  describeReferences(defs);
  return Object.fromEntries(Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The client models drop the description of a field whose type is another model (`metadata`, `spec`),
 * and copy IntOrString's description onto IntOrString fields. `kubectl explain` prints a field's
 * description in lists and field + type description for the field itself, so a type that only fields
 * refer to directly (not a kind, not a list item or map value) gives its doc comment to the fields that
 * have none and keeps none itself: every field is described, none twice.
 */
function describeReferences(defs: Definitions): void {
  const copied = Object.values(defs).flatMap((d) => Object.values(d.properties ?? {}))
    .find((p) => p.$ref === refPrefix + intOrString && p.description?.startsWith('IntOrString is'))?.description;
  if (copied) defs[intOrString] = { ...defs[intOrString], description: copied };
  const nested = new Set<string>();
  const collect = (s: Schema | undefined): void => {
    if (!s) return;
    if (s.$ref) nested.add(s.$ref.slice(refPrefix.length));
    collect(s.items);
    collect(s.additionalProperties);
  };
  for (const def of Object.values(defs)) for (const p of Object.values(def.properties ?? {})) [p.items, p.additionalProperties].forEach(collect);
  const movable = (name: string) => !nested.has(name) && !defs[name]?.['x-kubernetes-group-version-kind'];
  for (const def of Object.values(defs)) {
    for (const [field, p] of Object.entries(def.properties ?? {})) {
      const target = p.$ref?.slice(refPrefix.length);
      if (!target || !movable(target)) continue;
      const description = p.description ?? defs[target]?.description;
      const { description: _, ...rest } = p;
      def.properties![field] = { ...(description ? { description } : {}), ...rest };
    }
  }
  for (const name of Object.keys(defs)) {
    if (movable(name) && (Object.values(defs).some((d) => Object.values(d.properties ?? {}).some((p) => p.$ref === refPrefix + name)))) delete defs[name]!.description;
  }
}

function schemaOfClass(model: ModelClass, pkg: string, name: string, ref: (className: string) => string | undefined): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  const patchMeta = builtinPatchSchema[name] ?? {};
  const shortType = name.slice(name.lastIndexOf('.') + 1);
  for (const member of model.decl.members) {
    if (!ts.isPropertyDeclaration(member) || !ts.isStringLiteral(member.name) || !member.type) continue;
    const field = member.name.text;
    const isQuantity = quantityFields.has(`${pkg}.${shortType}.${field}`);
    const schema = typeSchema(member.type, model.formats.get(field), isQuantity, ref);
    const doc = docOf(member);
    const prop: Schema = { ...(doc ? { description: doc } : {}), ...schema };
    const tags = patchMeta[field];
    if (tags?.strategy) {
      if (tags.mergeKey) prop['x-kubernetes-patch-merge-key'] = tags.mergeKey;
      prop['x-kubernetes-patch-strategy'] = tags.strategy;
      if (prop.type === 'array' && tags.strategy.split(',').includes('merge')) {
        prop['x-kubernetes-list-type'] = tags.mergeKey ? 'map' : 'set';
        if (tags.mergeKey) prop['x-kubernetes-list-map-keys'] = [tags.mergeKey];
      }
    }
    properties[field] = prop;
    if (!member.questionToken) required.push(field);
  }
  const doc = docOf(model.decl);
  return { ...(doc ? { description: doc } : {}), type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function typeSchema(node: ts.TypeNode, format: string | undefined, isQuantity: boolean, ref: (className: string) => string | undefined): Schema {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      if (isQuantity) return { $ref: refPrefix + quantity };
      return { type: 'string', ...(format === 'byte' ? { format } : {}) };
    case ts.SyntaxKind.NumberKeyword:
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return { type: 'number', ...(format ? { format } : {}) };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
      return { type: 'object' };
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index) return { type: 'object', additionalProperties: typeSchema(index.type, format, isQuantity, ref) };
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const id = node.typeName.text;
    if (id === 'Array' && node.typeArguments?.[0]) return { type: 'array', items: typeSchema(node.typeArguments[0], format, isQuantity, ref) };
    if (id === 'Date') return { $ref: refPrefix + (format === 'date-time-micro' ? microTime : time) };
    if (id === 'V1MicroTime') return { $ref: refPrefix + microTime };
    if (id === 'IntOrString') return { $ref: refPrefix + intOrString };
    const target = ref(id);
    if (target) return { $ref: refPrefix + target };
  }
  throw new Error(`unsupported type in client model: ${node.getText()}`);
}

/** Compact JSON, one definition per line so that a regeneration's diff stays readable. */
export function renderDefinitions(defs: Definitions): string {
  return `{\n${Object.entries(defs).map(([name, schema]) => `${JSON.stringify(name)}:${JSON.stringify(schema)}`).join(',\n')}\n}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(definitionsPath, renderDefinitions(generateDefinitions()));
  console.log(`wrote ${definitionsPath}`);
}
