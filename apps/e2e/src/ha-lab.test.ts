import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haproxyConfigFor, labCfgPath } from './ha-lab.js';

// The HA test runs the lab's own lab.cfg, re-targeted: these pin what the rewrite changes and keeps.
const labCfg = readFileSync(labCfgPath, 'utf8');
const servers = ['apiserver-0', 'apiserver-1', 'apiserver-2'];
const rewritten = haproxyConfigFor(labCfg, servers, { interMs: 500, fall: 3, rise: 1 });

describe('haproxyConfigFor', () => {
  it('ha config — every backend lists the given servers on its own port, none of the lab names', () => {
    for (const port of ['6443', '50051']) {
      expect(rewritten.match(new RegExp(`^ *server \\S+ \\S+:${port}$`, 'gm'))).toEqual(servers.map((s) => `    server ${s} ${s}:${port}`));
    }
    const config = rewritten.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(config.filter((l) => /apiserver-[abc]/.test(l))).toEqual([]);
  });

  it('ha config — check timings replaced in both backends; health check, retries, timeouts as in the lab', () => {
    expect(rewritten.match(/inter 500ms fall 3 rise 1 on-marked-down shutdown-sessions/g)).toHaveLength(2);
    expect(rewritten).not.toContain('inter 2s');
    for (const kept of ['option httpchk GET /readyz', 'retries 1', 'option redispatch 1', 'timeout connect 1s', 'check port 8080']) {
      expect(rewritten.split(kept).length, kept).toBe(labCfg.split(kept).length);
    }
  });

  it('ha config — a lab.cfg of another shape is an error, not a silently different test', () => {
    expect(() => haproxyConfigFor(labCfg.replace(/inter 2s/g, 'inter 3s'), servers, { interMs: 500, fall: 2, rise: 2 })).toThrow(/changed shape/);
    expect(() => haproxyConfigFor(labCfg.replace('server apiserver-c apiserver-c:6443', ''), servers, { interMs: 500, fall: 2, rise: 2 })).toThrow(/changed shape/);
  });
});
