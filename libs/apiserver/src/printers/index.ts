export { printerFor } from './registry.js';
export { humanDuration } from './duration.js';
export type { Cell, KubeObject, Printer, TableColumnDefinition } from './types.js';
