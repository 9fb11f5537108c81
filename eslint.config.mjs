// Lint rules for every project. Module boundaries follow ../shared/STYLE.md: each project carries a
// `scope:*` and a `type:*` tag; apps import libs, never the reverse; libs only through their index.ts.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const scopes = ['apiserver', 'scheduler', 'controller-manager', 'cloud-controller-manager', 'cloud', 'kubelet', 'ipamd', 'cli'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', 'libs/proto/src/gen/**', '**/*.fixture.ts', '**/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a string union instead of an enum (STYLE.md rule 8).' },
        { selector: 'ExportAllDeclaration', message: 'A barrel lists its exports by name (STYLE.md rule 3).' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@ekslab/*/*'], message: 'Import a lib only through its index.ts (@ekslab/<lib>).' }] },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:api'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:api'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:api'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:api'] },
            { sourceTag: 'type:api', onlyDependOnLibsWithTags: ['type:api'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:api', 'type:data-access'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Only the apiserver (cluster state) and the cloud (its own prefix) talk to etcd.
            { sourceTag: 'scope:storage', onlyDependOnLibsWithTags: ['scope:shared', 'scope:storage'] },
            { sourceTag: 'scope:apiserver', onlyDependOnLibsWithTags: ['scope:shared', 'scope:storage', 'scope:apiserver'] },
            { sourceTag: 'scope:cloud', onlyDependOnLibsWithTags: ['scope:shared', 'scope:storage', 'scope:cloud'] },
            ...scopes
              .filter((s) => s !== 'apiserver' && s !== 'cloud')
              .map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: ['scope:shared', `scope:${s}`] })),
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
