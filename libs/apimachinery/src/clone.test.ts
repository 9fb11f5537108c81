import { describe, expect, it } from 'vitest';
import { cloneJson } from './clone.js';

describe('cloneJson', () => {
  it('copies a JSON object deeply, equal to structuredClone and sharing nothing', () => {
    const obj = JSON.parse('{"a":{"b":[1,{"c":"x"},null,true]},"d":"e","n":1.5,"z":{}}') as Record<string, unknown>;
    const out = cloneJson(obj);
    expect(out).toStrictEqual(structuredClone(obj));
    (out['a'] as { b: unknown[] }).b.push(2);
    ((out['a'] as { b: Array<Record<string, string>> }).b[1]!)['c'] = 'y';
    expect(obj).toStrictEqual(JSON.parse('{"a":{"b":[1,{"c":"x"},null,true]},"d":"e","n":1.5,"z":{}}'));
  });

  it('keeps a __proto__ key as an own property, as JSON.parse makes it', () => {
    const obj = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const out = cloneJson(obj);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('copies values that are not plain JSON as structuredClone does', () => {
    const when = new Date(0);
    const out = cloneJson({ when });
    expect(out.when).toBeInstanceOf(Date);
    expect(out.when).not.toBe(when);
    expect(out.when.getTime()).toBe(0);
  });
});
