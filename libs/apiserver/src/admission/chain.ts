import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { podDefaults } from './pod-defaults.js';
import { priorityAdmission } from './priority.js';
import { serviceAccountAdmission } from './service-account.js';
import { serviceAllocation } from './service.js';
import type { Admission, AdmissionOutcome, AdmissionPlugin, AdmissionRequest } from './types.js';

/** What the admission chain needs from the apiserver's flags. */
export interface AdmissionOptions {
  /** --service-cluster-ip-range; EKS default 10.100.0.0/16 (172.20.0.0/16 when the VPC is in 10.0.0.0/8). */
  readonly serviceClusterIpRange: string;
  /** --service-node-port-range; default 30000-32767. */
  readonly serviceNodePortRange: string;
  /** --default-not-ready-toleration-seconds; default 300. */
  readonly defaultNotReadyTolerationSeconds: number;
  /** --default-unreachable-toleration-seconds; default 300. */
  readonly defaultUnreachableTolerationSeconds: number;
  readonly now?: () => number;
}

export const defaultAdmissionOptions: AdmissionOptions = {
  serviceClusterIpRange: '10.100.0.0/16',
  serviceNodePortRange: '30000-32767',
  defaultNotReadyTolerationSeconds: 300,
  defaultUnreachableTolerationSeconds: 300,
};

/** Runs plugins in order; the outcomes of those that admitted are settled together. */
export function chainAdmission(plugins: readonly AdmissionPlugin[]): Admission {
  return {
    async admit(req: AdmissionRequest): Promise<AdmissionOutcome> {
      const outcomes: AdmissionOutcome[] = [];
      const all: AdmissionOutcome = {
        commit: async () => {
          for (const o of outcomes) await o.commit();
        },
        revert: async () => {
          for (const o of outcomes.toReversed()) await o.revert();
        },
      };
      try {
        for (const p of plugins) {
          const outcome = await p.admit?.(req);
          if (outcome) outcomes.push(outcome);
        }
      } catch (err) {
        await all.revert();
        throw err;
      }
      return all;
    },
    async deleted(req: AdmissionRequest): Promise<void> {
      for (const p of plugins) await p.deleted?.(req);
    },
  };
}

/**
 * kube-apiserver's default mutating plugins that ekslab implements, in its order (NamespaceLifecycle runs
 * inside the Registry): ServiceAccount, Priority, DefaultTolerationSeconds; then the pod and Service
 * parts of the registry strategies that need storage (pod status/QoS, ClusterIP and NodePort allocation).
 */
export function createAdmission(opts: AdmissionOptions = defaultAdmissionOptions): Admission {
  return chainAdmission([
    serviceAccountAdmission,
    priorityAdmission,
    defaultTolerationSeconds({ notReadySeconds: opts.defaultNotReadyTolerationSeconds, unreachableSeconds: opts.defaultUnreachableTolerationSeconds }),
    podDefaults,
    serviceAllocation({ serviceClusterIpRange: opts.serviceClusterIpRange, serviceNodePortRange: opts.serviceNodePortRange, ...(opts.now ? { now: opts.now } : {}) }),
  ]);
}

/**
 * The admission chain for an apiserver's options (`admission` of ApiServerOptions): EKS defaults when
 * absent, none when `false`. Every Registry that serves clients (REST and gRPC) must get this one.
 */
export function admissionFor(opts: { readonly admission?: AdmissionOptions | false; readonly now?: () => number }): Admission | undefined {
  if (opts.admission === false) return undefined;
  return createAdmission({ ...(opts.admission ?? defaultAdmissionOptions), ...(opts.now ? { now: opts.now } : {}) });
}
