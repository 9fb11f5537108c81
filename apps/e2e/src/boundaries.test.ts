import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './process.js';

// Lints code as if it were written into an existing source file, with the workspace's own ESLint config:
// the module-boundary rules must reject what ../shared/STYLE.md forbids.
const eslint = new ESLint({ cwd: repoRoot });
const host = 'apps/scheduler/src/start.ts';

async function messagesFor(code: string, filePath = host): Promise<string[]> {
  const original = readFileSync(resolve(repoRoot, filePath), 'utf8');
  const [result] = await eslint.lintText(`${code}\n${original}`, { filePath: resolve(repoRoot, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('module boundaries', () => {
  it('every project carries exactly one scope:* and one type:* tag, and the 8 services are apps', () => {
    const projects = ['apps', 'libs'].flatMap((group) =>
      readdirSync(resolve(repoRoot, group)).map((dir) => {
        const json = JSON.parse(readFileSync(resolve(repoRoot, group, dir, 'project.json'), 'utf8')) as { name: string; tags: string[] };
        return { name: json.name, tags: json.tags };
      }),
    );
    for (const { name, tags } of projects) {
      expect(tags.filter((t) => t.startsWith('scope:')), name).toHaveLength(1);
      expect(tags.filter((t) => t.startsWith('type:')), name).toHaveLength(1);
    }
    const apps = projects.filter((p) => p.tags.includes('type:app')).map((p) => p.name).sort();
    expect(apps).toEqual(['apiserver', 'cli', 'cloud', 'cloud-controller-manager', 'controller-manager', 'ipamd', 'kubelet', 'scheduler']);
  });

  it('the host file itself lints clean (so the cases below fail for their import alone)', async () => {
    expect(await messagesFor('')).toEqual([]);
  });

  it('a deep import through the alias fails lint', async () => {
    const msgs = await messagesFor("import { opt } from '@ekslab/runtime/src/options.js';\nvoid opt;");
    expect(msgs.join('\n')).toContain('no-restricted-imports: ');
  });

  it('a relative import into another project fails lint', async () => {
    const msgs = await messagesFor("import { opt } from '../../../libs/runtime/src/options.js';\nvoid opt;");
    expect(msgs.join('\n')).toMatch(/@nx\/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/);
  });

  it('only the apiserver and the cloud may import the storage lib', async () => {
    const msgs = await messagesFor("import { keyFor } from '@ekslab/storage';\nvoid keyFor;");
    expect(msgs.join('\n')).toMatch(/@nx\/enforce-module-boundaries: A project tagged with "scope:scheduler" can only depend on libs tagged with/);
    expect(await messagesFor("import { keyFor } from '@ekslab/storage';\nvoid keyFor;", 'apps/apiserver/src/start.ts')).toEqual([]);
  });

  it('a lib may not import an app', async () => {
    const msgs = await messagesFor("import { start } from '../../../apps/scheduler/src/start.js';\nvoid start;", 'libs/runtime/src/clock.ts');
    expect(msgs.join('\n')).toContain('@nx/enforce-module-boundaries');
  });

  it('enums and export-star barrels are rejected', async () => {
    const msgs = await messagesFor("export enum Phase { Pending }\nexport * from './config.js';");
    expect(msgs.join('\n')).toContain('Use a string union instead of an enum');
    expect(msgs.join('\n')).toContain('A barrel lists its exports by name');
  });

  it('a floating promise is an error', async () => {
    const msgs = await messagesFor('async function f(): Promise<void> {}\nexport function g(): void { f(); }');
    expect(msgs.join('\n')).toContain('@typescript-eslint/no-floating-promises');
  });
});
