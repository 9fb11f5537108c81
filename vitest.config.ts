// One vitest run covers every project; `vitest run --project <name>` runs one (nx's `test` target).
// Unit tests sit next to the code as *.test.ts; tests that need Docker are *.int.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const projectDirs = ['apps', 'libs'].flatMap((group) =>
  readdirSync(resolve(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(resolve(root, group, d.name, 'project.json')))
    .map((d) => `${group}/${d.name}`),
);

// The same import aliases as tsconfig.base.json's `paths` (one source of truth).
const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, [string]> };
};
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(root, target)]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: process.env['EKSLAB_TEST_SUMMARY'] ? ['default', './infra/build/summary-reporter.ts'] : ['default'],
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        // The nx project name (project.json), so `vitest run --project <nx project>` matches `nx test <project>`.
        name: (JSON.parse(readFileSync(resolve(root, dir, 'project.json'), 'utf8')) as { name: string }).name,
        root: resolve(root, dir),
        include: ['src/**/*.test.ts'],
        testTimeout: 20_000,
        hookTimeout: 180_000,
      },
    })),
  },
});
