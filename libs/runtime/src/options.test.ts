import { describe, expect, it } from 'vitest';
import { envNameOf, formatDuration, opt, parseConfig, parseDuration } from './options.js';

const info = { name: 'ekslab-test', description: 'test', version: '0.0.0' };
const specs = {
  opsPort: opt.port(10259, 'ops port'),
  leaseDuration: opt.duration(15_000, 'lease duration'),
  etcdServers: opt.list(['http://127.0.0.1:2379'], 'etcd endpoints'),
  mode: opt.choice<'fast' | 'real'>('real', ['fast', 'real'], 'timing mode'),
};
const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(info, specs, ['node', 'main', ...args], env, true);

describe('options', () => {
  it.each([
    ['500ms', 500],
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5s', 1_500],
  ])('duration — parses %s', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', '15', 's', '1x', '-1s', '1s2'])('duration — rejects %j', (raw) => {
    expect(() => parseDuration(raw)).toThrow(/not a duration/);
  });

  it.each([
    [250, '250ms'],
    [15_000, '15s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
  ])('duration — formats %d as %s and reads it back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('env names — derive from the flag', () => {
    expect(envNameOf('leaseDuration')).toBe('EKSLAB_LEASE_DURATION');
  });

  it('config — defaults when nothing is given', () => {
    expect(parse([])).toEqual({ opsPort: 10259, leaseDuration: 15_000, etcdServers: ['http://127.0.0.1:2379'], mode: 'real' });
  });

  it('config — environment overrides defaults and flags override the environment', () => {
    const env = { EKSLAB_OPS_PORT: '1234', EKSLAB_LEASE_DURATION: '2s', EKSLAB_ETCD_SERVERS: 'a,b' };
    expect(parse([], env)).toMatchObject({ opsPort: 1234, leaseDuration: 2_000, etcdServers: ['a', 'b'] });
    expect(parse(['--ops-port', '99'], env)).toMatchObject({ opsPort: 99, leaseDuration: 2_000 });
  });

  it.each([
    [['--ops-port', '70000'], /not an integer in \[0, 65535\]/],
    [['--lease-duration', 'soon'], /not a duration/],
    [['--mode', 'slow'], /not one of fast, real/],
    [['--no-such-flag'], /unknown option/],
    [['extra-arg'], /too many arguments/],
  ])('config — rejects %j', (args, message) => {
    expect(() => parse(args)).toThrow(message);
  });

  it('config — a bad environment value is an error too, not silently ignored', () => {
    expect(() => parse([], { EKSLAB_OPS_PORT: 'eighty' })).toThrow(/not an integer/);
  });
});
