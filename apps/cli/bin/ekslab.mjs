#!/usr/bin/env node
// The `ekslab` command. Runs the built bundle when there is one (dist/apps/cli/main.mjs, as in the app
// image), otherwise the TypeScript source through tsx, so `npx ekslab` works right after `npm ci`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../../..');
const bundle = resolve(root, 'dist/apps/cli/main.mjs');
if (existsSync(bundle) && !process.env.EKSLAB_CLI_FROM_SOURCE) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: resolve(root, 'apps/cli/tsconfig.json') });
  await import(pathToFileURL(resolve(root, 'apps/cli/src/main.ts')).href);
}
