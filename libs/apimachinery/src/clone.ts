/**
 * A deep copy of a JSON value (what a decoded request body or a stored object is): plain objects, arrays
 * and primitives are copied by hand, several times faster than `structuredClone` on Kubernetes objects.
 * Anything else (a Date, a Buffer, a class instance) is copied by `structuredClone`, so the result is
 * always what `structuredClone` would give for JSON data. A `__proto__` key stays an own property.
 */
export function cloneJson<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = copy((v as Record<string, unknown>)[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
