// Fails when libs/proto/src/gen is not exactly what proto/ generates today (CI: `nx run proto:check-generated`).
// Generates into a temporary directory with the committed buf.gen.yaml and compares file by file;
// needs no git. Run from the repository root (nx does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const committed = 'libs/proto/src/gen';

/** Relative paths of all files under dir, sorted; [] if dir is missing. */
function listFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const tmp = mkdtempSync(join(tmpdir(), 'ekslab-proto-'));
try {
  const buf = spawnSync(join('node_modules', '.bin', 'buf'), ['generate', '--template', 'proto/buf.gen.yaml', '--output', tmp], { stdio: 'inherit' });
  if (buf.error || buf.status !== 0) {
    console.error(`check-generated: buf generate failed (${buf.error?.message ?? `exit ${buf.status}`})`);
    process.exit(2);
  }
  const fresh = join(tmp, committed);
  const want = listFiles(fresh);
  const have = listFiles(committed);
  const problems = [
    ...want.filter((f) => !have.includes(f)).map((f) => `missing  ${f}`),
    ...have.filter((f) => !want.includes(f)).map((f) => `extra    ${f}`),
    ...want
      .filter((f) => have.includes(f))
      .filter((f) => !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))))
      .map((f) => `differs  ${f}`),
  ];
  if (problems.length > 0) {
    console.error(`check-generated: ${committed} is stale relative to proto/:`);
    for (const p of problems) console.error(`  ${p}`);
    console.error('Run `npx nx run proto:generate` and commit the result.');
    process.exit(1);
  }
  console.log(`check-generated: ${want.length} generated files are up to date.`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
