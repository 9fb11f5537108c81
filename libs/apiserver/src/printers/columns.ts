/** Column-definition builders and the cells every printer shares. */
import { docs, type DocKey } from './docs.js';
import { since } from './duration.js';
import type { KubeObject, TableColumnDefinition } from './types.js';

type ColumnType = TableColumnDefinition['type'];

/** A column; `description` is either a docs key or literal text. Priority 1 = shown only by `-o wide`. */
export function col(name: string, type: ColumnType, description: DocKey | (string & {}), priority = 0, format = ''): TableColumnDefinition {
  const text = description in docs ? docs[description as DocKey] : description;
  return { name, type, format, description: text, priority };
}

/** `Name`, format `name` — kubectl finds the name column by that format. */
export const nameColumn: TableColumnDefinition = col('Name', 'string', 'objectMeta.name', 0, 'name');
export const ageColumn: TableColumnDefinition = col('Age', 'string', 'objectMeta.creationTimestamp');

/** `Containers` and `Images`, the wide columns of the workload printers. */
export const containerColumns: TableColumnDefinition[] = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
];

export function name(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}
