/** Cell formatting shared by several printers, with kube-apiserver's exact spellings. */
import { arr, rec, recs, str, strMap } from './fields.js';

/** `labels.FormatLabels`: `a=1,b=2` sorted by key, `<none>` when empty. */
export function formatLabels(value: unknown): string {
  const labels = strMap(value);
  const keys = Object.keys(labels).sort(byBytes);
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels[k]}`).join(',');
}

/**
 * `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key, `k=v`, `k in (a,b)`,
 * `k notin (a)`, `k`, `!k`. Null when the selector is invalid. An absent or empty selector prints ''.
 * Key and value syntax is not validated here (the apiserver validates on write).
 */
export function selectorString(value: unknown): string | null {
  const sel = rec(value);
  const reqs: { key: string; text: string }[] = [];
  for (const [key, v] of Object.entries(strMap(sel['matchLabels']))) reqs.push({ key, text: `${key}=${v}` });
  for (const expr of recs(sel['matchExpressions'])) {
    const key = str(expr['key']);
    const values = arr(expr['values']).map(str).sort(byBytes);
    const list = values.length === 1 ? values[0] : values.join(',');
    switch (str(expr['operator'])) {
      case 'In':
        if (values.length === 0) return null;
        reqs.push({ key, text: `${key} in (${list})` });
        break;
      case 'NotIn':
        if (values.length === 0) return null;
        reqs.push({ key, text: `${key} notin (${list})` });
        break;
      case 'Exists':
        if (values.length > 0) return null;
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) return null;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return null;
    }
  }
  return reqs.sort((a, b) => byBytes(a.key, b.key)).map((r) => r.text).join(',');
}

/** `metav1.FormatLabelSelector`: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(value: unknown): string {
  const s = selectorString(value);
  if (s === null) return '<error>';
  return s === '' ? '<none>' : s;
}

/** `layoutContainerCells`: container names and images, each comma-joined. */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = recs(rec(podSpec)['containers']);
  return [containers.map((c) => str(c['name'])).join(','), containers.map((c) => str(c['image'])).join(',')];
}

/** `listWithMoreString` for lists capped at `max` items: `a,b,c + 2 more...`, `<unset>` when empty. */
export function listWithMore(items: string[], max = 3): string {
  const ret = items.slice(0, max).join(',');
  if (items.length > max) return `${ret} + ${items.length - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** `intstr.IntOrString.String()`. */
export function intOrString(value: unknown): string {
  return typeof value === 'number' ? String(Math.trunc(value)) : str(value);
}

/** `sets.NewString(...).List()`: de-duplicated and sorted. */
export function sortedUnique(items: string[]): string[] {
  return [...new Set(items)].sort(byBytes);
}

/** Go's string ordering (byte-wise; the same as UTF-16 order for the ASCII that names use). */
export function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
