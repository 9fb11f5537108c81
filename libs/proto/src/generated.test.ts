// Guards on the generated code that lint cannot give (libs/proto/src/gen is excluded from lint).
// Freshness against proto/ is checked by `nx run proto:check-generated`, not here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const genDir = join(import.meta.dirname, 'gen');
const files = readdirSync(genDir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => join(e.parentPath, e.name));

describe('generated code', () => {
  it('generated — exists', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [f.slice(genDir.length + 1), f]))('generated — %s has no TS enum, no Long, no version banner', (_, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/^\s*(export\s+)?(const\s+)?enum\s/m);
    expect(text).not.toMatch(/from "long"/);
    expect(text).not.toMatch(/protoc-gen-ts_proto\s+v\d|protoc\s+v\d/);
  });
});
