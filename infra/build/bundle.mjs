// Bundles one app (its src/main.ts and the libs it imports) into dist/<projectRoot>/main.mjs with esbuild.
// npm packages stay external: the app image ships production node_modules beside dist/.
// Usage: node infra/build/bundle.mjs apps/<name>
import { build } from 'esbuild';
import { resolve } from 'node:path';

const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: node infra/build/bundle.mjs apps/<name>');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const result = await build({
  entryPoints: [resolve(root, projectRoot, 'src/main.ts')],
  outfile: resolve(root, 'dist', projectRoot, 'main.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  tsconfig: resolve(root, 'tsconfig.base.json'),
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`${projectRoot} → dist/${projectRoot}/main.mjs (${(bytes / 1024).toFixed(0)} KiB with source map)`);
