import { describe, expect, it } from 'vitest';
import type { ControllerDescriptor } from './controller.js';
import { enabledControllers } from './controllers-flag.js';

const d = (name: string, alias: string, enabledByDefault = true): ControllerDescriptor => ({
  name, aliases: [alias], identity: name, enabledByDefault, init: () => () => Promise.resolve(),
});
const all = [d('deployment-controller', 'deployment'), d('job-controller', 'job'), d('bootstrap-signer-controller', 'bootstrapsigner', false)];
const names = (flag: string[]): string[] => enabledControllers(all, flag).map((c) => c.name);

describe('--controllers', () => {
  it('* enables the default-on controllers only', () => {
    expect(names(['*'])).toEqual(['deployment-controller', 'job-controller']);
  });
  it('names (and old aliases) enable, -names disable, whatever the order', () => {
    expect(names(['*', 'bootstrapsigner', '-job'])).toEqual(['deployment-controller', 'bootstrap-signer-controller']);
    expect(names(['-deployment-controller', '*'])).toEqual(['job-controller']);
    expect(names(['job-controller'])).toEqual(['job-controller']);
  });
  it('rejects an unknown name as kube does', () => {
    expect(() => names(['*', 'frobnicator'])).toThrow('"frobnicator" is not in the list of known controllers');
  });
});
