import type { KubeObject } from './objects.js';

/**
 * Defaulting as kube-apiserver applies it on create and update (the defaults.go of each pkg/apis group), for the fields
 * kubectl and controllers rely on seeing. Mutates `obj`.
 */
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const setDefault = (o: Obj, key: string, value: unknown): void => {
  if (o[key] === undefined) o[key] = value;
};

/** `nginx` and `nginx:latest` pull Always; a pinned tag or digest IfNotPresent. */
function pullPolicyFor(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj): void {
  setDefault(c, 'imagePullPolicy', pullPolicyFor(c['image']));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const p of (c['ports'] as Obj[] | undefined) ?? []) setDefault(p, 'protocol', 'TCP');
}

export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['containers', 'initContainers'] as const) for (const c of (spec[list] as Obj[] | undefined) ?? []) defaultContainer(c);
}

const templateSpec = (o: KubeObject): Obj => obj(obj(obj(o.spec)['template'])['spec']);

/** kube's SetDefaults_Deployment strategy: RollingUpdate; its maxUnavailable and maxSurge 25% each when unset. */
function defaultDeploymentStrategy(spec: Obj): void {
  setDefault(spec, 'strategy', {});
  const strategy = obj(spec['strategy']);
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] !== 'RollingUpdate') return;
  setDefault(strategy, 'rollingUpdate', {});
  const ru = obj(strategy['rollingUpdate']);
  setDefault(ru, 'maxUnavailable', '25%');
  setDefault(ru, 'maxSurge', '25%');
}

export function applyDefaults(resource: string, o: KubeObject): void {
  const spec = obj(o.spec);
  switch (resource) {
    case 'namespaces':
      o.spec = { finalizers: ['kubernetes'], ...spec };
      o.status = { phase: 'Active', ...obj(o.status) };
      return;
    case 'pods':
      defaultPodSpec(spec);
      setDefault(spec, 'enableServiceLinks', true);
      setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
      setDefault(spec, 'priority', 0);
      o.spec = spec;
      return;
    case 'deployments':
      setDefault(spec, 'replicas', 1);
      defaultDeploymentStrategy(spec);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      defaultPodSpec(templateSpec(o));
      return;
    case 'replicasets':
      setDefault(spec, 'replicas', 1);
      defaultPodSpec(templateSpec(o));
      return;
    case 'daemonsets':
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      setDefault(spec, 'revisionHistoryLimit', 10);
      defaultPodSpec(templateSpec(o));
      return;
    case 'jobs':
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      if (spec['completions'] === undefined && spec['parallelism'] === 1) spec['completions'] = 1;
      defaultPodSpec(obj(obj(spec['template'])['spec']));
      return;
    case 'services':
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      for (const p of (spec['ports'] as Obj[] | undefined) ?? []) {
        setDefault(p, 'protocol', 'TCP');
        setDefault(p, 'targetPort', p['port']);
      }
      o.spec = spec;
      return;
    case 'secrets':
      setDefault(o, 'type', 'Opaque');
      return;
  }
}
