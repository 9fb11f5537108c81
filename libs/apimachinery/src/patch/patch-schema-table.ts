// patchStrategy / patchMergeKey tags of the built-in kinds, copied from k8s.io/api (core/v1, apps/v1,
// batch/v1, policy/v1) and k8s.io/apimachinery meta/v1 types.go. Only structs on a path to a tagged
// field are listed; everything else merges maps and replaces lists. Lists that are NOT merged (and so
// are replaced whole) include tolerations, envFrom, readinessGates, taints, args/command, subsets.
import { PatchMetaLookup } from './schema.js';
import type { FieldPatchInfo, PatchSchema } from './schema.js';

const meta = (t: string): string => `io.k8s.apimachinery.pkg.apis.meta.v1.${t}`;
const core = (t: string): string => `io.k8s.api.core.v1.${t}`;
const apps = (t: string): string => `io.k8s.api.apps.v1.${t}`;
const batch = (t: string): string => `io.k8s.api.batch.v1.${t}`;
const policy = (t: string): string => `io.k8s.api.policy.v1.${t}`;

const byKey = (mergeKey: string, type?: string): FieldPatchInfo => ({ strategy: 'merge', mergeKey, ...(type ? { type } : {}) });
const conditions: FieldPatchInfo = byKey('type');
const objectMeta: FieldPatchInfo = { type: meta('ObjectMeta') };
const template: FieldPatchInfo = { type: core('PodTemplateSpec') };
/** A kind whose only tagged fields are in metadata. */
const plain = { metadata: objectMeta };
/** A kind with `spec.template` and `status.conditions`. */
const workload = (spec: string, status: string): Record<string, FieldPatchInfo> => ({ metadata: objectMeta, spec: { type: spec }, status: { type: status } });

const containerFields: Record<string, FieldPatchInfo> = {
  ports: byKey('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
};

/** The schema of every built-in type with patch tags. */
export const builtinPatchSchema: PatchSchema = {
  [meta('ObjectMeta')]: { finalizers: { strategy: 'merge' }, ownerReferences: byKey('uid') },

  [core('PodSpec')]: {
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    initContainers: byKey('name', core('Container')),
    containers: byKey('name', core('Container')),
    ephemeralContainers: byKey('name', core('EphemeralContainer')),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: byKey('topologyKey'),
    schedulingGates: byKey('name'),
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  },
  [core('Container')]: containerFields,
  [core('EphemeralContainer')]: containerFields,
  [core('PodStatus')]: {
    conditions,
    hostIPs: byKey('ip'),
    podIPs: byKey('ip'),
    resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  },
  [core('PodTemplateSpec')]: { metadata: objectMeta, spec: { type: core('PodSpec') } },
  [core('Pod')]: workload(core('PodSpec'), core('PodStatus')),
  [core('PodTemplate')]: { metadata: objectMeta, template },
  [core('ReplicationControllerSpec')]: { template },
  [core('ReplicationControllerStatus')]: { conditions },
  [core('ReplicationController')]: workload(core('ReplicationControllerSpec'), core('ReplicationControllerStatus')),
  [core('ServiceSpec')]: { ports: byKey('port') },
  [core('ServiceStatus')]: { conditions },
  [core('Service')]: workload(core('ServiceSpec'), core('ServiceStatus')),
  [core('ServiceAccount')]: { metadata: objectMeta, secrets: byKey('name') },
  [core('NodeSpec')]: { podCIDRs: { strategy: 'merge' } },
  [core('NodeStatus')]: { conditions, addresses: byKey('type') },
  [core('Node')]: workload(core('NodeSpec'), core('NodeStatus')),
  [core('NamespaceStatus')]: { conditions },
  [core('Namespace')]: { metadata: objectMeta, status: { type: core('NamespaceStatus') } },
  [core('PersistentVolumeClaimStatus')]: { conditions },
  [core('PersistentVolumeClaim')]: { metadata: objectMeta, status: { type: core('PersistentVolumeClaimStatus') } },
  [core('ComponentStatus')]: { metadata: objectMeta, conditions },
  [core('ConfigMap')]: plain,
  [core('Secret')]: plain,
  [core('Endpoints')]: plain,
  [core('Event')]: plain,
  [core('LimitRange')]: plain,
  [core('ResourceQuota')]: plain,
  [core('PersistentVolume')]: plain,

  [apps('DeploymentSpec')]: { template, strategy: { strategy: 'retainKeys' } },
  [apps('DeploymentStatus')]: { conditions },
  [apps('Deployment')]: workload(apps('DeploymentSpec'), apps('DeploymentStatus')),
  [apps('ReplicaSetSpec')]: { template },
  [apps('ReplicaSetStatus')]: { conditions },
  [apps('ReplicaSet')]: workload(apps('ReplicaSetSpec'), apps('ReplicaSetStatus')),
  [apps('DaemonSetSpec')]: { template },
  [apps('DaemonSetStatus')]: { conditions },
  [apps('DaemonSet')]: workload(apps('DaemonSetSpec'), apps('DaemonSetStatus')),
  [apps('StatefulSetSpec')]: { template },
  [apps('StatefulSetStatus')]: { conditions },
  [apps('StatefulSet')]: workload(apps('StatefulSetSpec'), apps('StatefulSetStatus')),
  [apps('ControllerRevision')]: plain,

  [batch('JobSpec')]: { template },
  [batch('JobStatus')]: { conditions },
  [batch('Job')]: workload(batch('JobSpec'), batch('JobStatus')),
  [batch('JobTemplateSpec')]: { metadata: objectMeta, spec: { type: batch('JobSpec') } },
  [batch('CronJobSpec')]: { jobTemplate: { type: batch('JobTemplateSpec') } },
  [batch('CronJob')]: { metadata: objectMeta, spec: { type: batch('CronJobSpec') } },

  [policy('PodDisruptionBudgetSpec')]: { selector: { strategy: 'replace' } },
  [policy('PodDisruptionBudgetStatus')]: { conditions },
  [policy('PodDisruptionBudget')]: workload(policy('PodDisruptionBudgetSpec'), policy('PodDisruptionBudgetStatus')),
};

/**
 * Root struct of each built-in kind, keyed `group/Kind` ("" is the core group). Kinds not listed
 * (Lease, EndpointSlice, RBAC, events.k8s.io Event, networking) have no tags beyond metadata.
 */
export const builtinKindTypes: Readonly<Record<string, string>> = {
  '/Pod': core('Pod'),
  '/PodTemplate': core('PodTemplate'),
  '/ReplicationController': core('ReplicationController'),
  '/Service': core('Service'),
  '/ServiceAccount': core('ServiceAccount'),
  '/Node': core('Node'),
  '/Namespace': core('Namespace'),
  '/PersistentVolumeClaim': core('PersistentVolumeClaim'),
  '/PersistentVolume': core('PersistentVolume'),
  '/ComponentStatus': core('ComponentStatus'),
  '/ConfigMap': core('ConfigMap'),
  '/Secret': core('Secret'),
  '/Endpoints': core('Endpoints'),
  '/Event': core('Event'),
  '/LimitRange': core('LimitRange'),
  '/ResourceQuota': core('ResourceQuota'),
  'apps/Deployment': apps('Deployment'),
  'apps/ReplicaSet': apps('ReplicaSet'),
  'apps/DaemonSet': apps('DaemonSet'),
  'apps/StatefulSet': apps('StatefulSet'),
  'apps/ControllerRevision': apps('ControllerRevision'),
  'batch/Job': batch('Job'),
  'batch/CronJob': batch('CronJob'),
  'policy/PodDisruptionBudget': policy('PodDisruptionBudget'),
};

/**
 * The lookup for a built-in kind. Any other built-in kind still gets ObjectMeta's tags (finalizers,
 * ownerReferences); the apiserver refuses strategic merge patches for custom resources (415), which
 * is the REST layer's check, not this one.
 */
export function patchMetaForKind(group: string, kind: string): PatchMetaLookup {
  const key = `${group}/${kind}`;
  if (Object.hasOwn(builtinKindTypes, key)) return new PatchMetaLookup(builtinPatchSchema, builtinKindTypes[key]);
  return new PatchMetaLookup({ ...builtinPatchSchema, [key]: plain }, key);
}
