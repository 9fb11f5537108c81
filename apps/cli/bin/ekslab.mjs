#!/usr/bin/env node
// The `ekslab` command. In a checkout it runs the TypeScript source through tsx, so `npx ekslab` works right
// after `npm ci` and never runs a stale build; without tsx (a production install) it runs the bundle.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../../..');
const source = resolve(root, 'apps/cli/src/main.ts');
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  register = undefined;
}
if (register && existsSync(source)) {
  register({ tsconfig: resolve(root, 'apps/cli/tsconfig.json') });
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(resolve(root, 'dist/apps/cli/main.mjs')).href);
}
