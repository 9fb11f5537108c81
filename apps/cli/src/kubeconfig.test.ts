import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kubeconfigCommand, kubeconfigPath } from './kubeconfig.js';
import { program } from './program.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, sink: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

describe('ekslab kubeconfig', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ekslab-cli-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('fails with a clear message before the lab has written the kubeconfig', () => {
    const { out, sink } = capture();
    expect(kubeconfigCommand(root, {}, sink)).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`no kubeconfig at ${join(root, '.ekslab/kubeconfig')}`);
    expect(out.stderr).toContain('make lab');
  });

  it('prints the path, or with --print the contents', () => {
    mkdirSync(join(root, '.ekslab'));
    writeFileSync(kubeconfigPath(root), 'apiVersion: v1\nkind: Config\ncurrent-context: ekslab\n');
    const path = capture();
    expect(kubeconfigCommand(root, {}, path.sink)).toBe(0);
    expect(path.out.stdout).toBe(`${join(root, '.ekslab/kubeconfig')}\n`);
    const contents = capture();
    expect(kubeconfigCommand(root, { print: true }, contents.sink)).toBe(0);
    expect(contents.out.stdout).toBe('apiVersion: v1\nkind: Config\ncurrent-context: ekslab\n');
    expect(contents.out.stderr).toBe('');
  });

  it('is wired into the command tree (EKSLAB_REPO_ROOT picks the repository)', async () => {
    mkdirSync(join(root, '.ekslab'));
    writeFileSync(kubeconfigPath(root), 'current-context: ekslab\n');
    const saved = process.env['EKSLAB_REPO_ROOT'];
    const savedCode = process.exitCode;
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    process.env['EKSLAB_REPO_ROOT'] = root;
    let printed = '';
    try {
      await program().parseAsync(['node', 'ekslab', 'kubeconfig', '--print']);
      expect(process.exitCode ?? 0).toBe(0);
      printed = write.mock.calls.map(([chunk]) => String(chunk)).join('');
    } finally {
      write.mockRestore();
      process.exitCode = savedCode;
      if (saved === undefined) delete process.env['EKSLAB_REPO_ROOT'];
      else process.env['EKSLAB_REPO_ROOT'] = saved;
    }
    expect(printed).toBe('current-context: ekslab\n');
  });
});
