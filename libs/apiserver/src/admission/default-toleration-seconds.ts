import type { AdmissionPlugin } from './types.js';

/** v1.Toleration as far as this plugin reads it. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const notReadyTaint = 'node.kubernetes.io/not-ready';
export const unreachableTaint = 'node.kubernetes.io/unreachable';

/** True when some toleration already covers `key:NoExecute` (an empty key or effect matches all). */
const tolerates = (tolerations: readonly Toleration[], key: string): boolean =>
  tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));

/**
 * DefaultTolerationSeconds: the tolerations a pod gets for `node.kubernetes.io/not-ready:NoExecute` and
 * `node.kubernetes.io/unreachable:NoExecute` (operator Exists, tolerationSeconds as configured, 300 s by
 * default), each only when no existing toleration covers that taint already. Returns a new list.
 */
export function withDefaultTolerations(tolerations: readonly Toleration[], notReadySeconds: number, unreachableSeconds: number): Toleration[] {
  const out = [...tolerations];
  if (!tolerates(tolerations, notReadyTaint)) out.push({ key: notReadyTaint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
  if (!tolerates(tolerations, unreachableTaint)) out.push({ key: unreachableTaint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
  return out;
}

export interface DefaultTolerationSecondsOptions {
  /** --default-not-ready-toleration-seconds; Kubernetes default 300. */
  readonly notReadySeconds: number;
  /** --default-unreachable-toleration-seconds; Kubernetes default 300. */
  readonly unreachableSeconds: number;
}

/** The plugin, on pod CREATE and UPDATE (not subresources), as kube-apiserver registers it. */
export function defaultTolerationSeconds(opts: DefaultTolerationSecondsOptions): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(req) {
      if (req.info.resource !== 'pods' || req.subresource) return Promise.resolve();
      const spec = (req.object.spec ??= {}) as { tolerations?: Toleration[] };
      const next = withDefaultTolerations(spec.tolerations ?? [], opts.notReadySeconds, opts.unreachableSeconds);
      if (next.length !== (spec.tolerations?.length ?? 0)) spec.tolerations = next;
      return Promise.resolve();
    },
  };
}
