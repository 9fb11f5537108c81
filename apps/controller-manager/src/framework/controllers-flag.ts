import type { ControllerDescriptor } from './controller.js';

/**
 * kube-controller-manager's --controllers: a list of controller names; `*` enables every controller that
 * is on by default, `foo` enables foo, `-foo` disables foo (a named entry beats `*`); old names (`deployment`)
 * are aliases of kube 1.33's (`deployment-controller`). Unknown names are an
 * error, as kube reports them.
 */
export function enabledControllers(all: readonly ControllerDescriptor[], flag: readonly string[]): ControllerDescriptor[] {
  const canonical = new Map<string, string>();
  for (const c of all) for (const n of [c.name, ...c.aliases]) canonical.set(n, c.name);
  const enabled = new Set<string>();
  const disabled = new Set<string>();
  let star = false;
  for (const entry of flag) {
    const negated = entry.startsWith('-');
    const raw = negated ? entry.slice(1) : entry;
    if (raw === '*' && !negated) {
      star = true;
      continue;
    }
    const name = canonical.get(raw);
    if (!name) throw new Error(`"${raw}" is not in the list of known controllers`);
    (negated ? disabled : enabled).add(name);
  }
  return all.filter((c) => !disabled.has(c.name) && (enabled.has(c.name) || (star && c.enabledByDefault)));
}
