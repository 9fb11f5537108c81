// One vitest run covers every project; `vitest run --project <name>` runs one (nx's `test` target).
// Unit tests sit next to the code as *.test.ts; tests that need Docker are *.int.test.ts.
import { readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const projectDirs = ['apps', 'libs'].flatMap((group) =>
  readdirSync(resolve(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(resolve(root, group, d.name, 'project.json')))
    .map((d) => `${group}/${d.name}`),
);

const alias = Object.fromEntries(
  ['proto', 'runtime', 'storage', 'testing'].map((lib) => [`@ekslab/${lib}`, resolve(root, `libs/${lib}/src/index.ts`)]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: process.env['EKSLAB_TEST_SUMMARY'] ? ['default', './infra/build/summary-reporter.ts'] : ['default'],
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/')[1]!,
        root: resolve(root, dir),
        include: ['src/**/*.test.ts'],
        testTimeout: 20_000,
        hookTimeout: 180_000,
      },
    })),
  },
});
