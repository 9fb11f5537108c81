export interface TableColumnDefinition { name: string; type: 'string' | 'integer' | 'number' | 'boolean' | 'date'; format: string; description: string; priority: number; }
export type Cell = string | number | boolean | null;
/** Turns one object into its row cells, in column order. `now` is ms since epoch (injected for tests). */
export interface Printer { columns: TableColumnDefinition[]; row(obj: KubeObject, now: number): Cell[]; }
export type KubeObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; creationTimestamp?: string; labels?: Record<string,string>; deletionTimestamp?: string; [k: string]: unknown }; [k: string]: unknown };
