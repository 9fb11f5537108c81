import { opt } from '@ekslab/runtime';

/** The agent's flags for pods, the simulated runtime and the log endpoint (spread into config.ts `options`). */
export const podOptions = {
  ipamdEndpoint: opt.string('', 'host:port of the AZ\'s ipamd (NodeService: each node\'s IPAM is started, with its max pods, before the node registers; CNIBackend: pod addresses); empty: no ipamd (pods take addresses from --local-pod-cidr)', { placeholder: '<host:port>' }),
  localPodCidr: opt.string('100.64.0.0/16', 'pod addresses handed out by the agent itself when --ipamd-endpoint is empty (shared by its nodes; not coordinated with other agents)', { placeholder: '<cidr>' }),
  kubeletPort: opt.int(10250, 'port of the agent\'s LogsService (the kubelet endpoint the apiserver dials for pods/log); 0 = any free port; when taken, a free port is used (the Nodes publish the real one)', [0, 65_535]),
  advertiseAddress: opt.string('127.0.0.1', 'host the apiserver dials for this agent\'s LogsService (Node annotation ekslab.io/agent-endpoint)', { placeholder: '<host>' }),
  crashLoopBackoff: opt.duration(10_000, 'first CrashLoopBackOff delay; doubles per restart'),
  crashLoopMaxBackoff: opt.duration(300_000, 'longest CrashLoopBackOff delay'),
  imagePullBackoff: opt.duration(10_000, 'first ImagePullBackOff delay; doubles per failed pull'),
  imagePullMaxBackoff: opt.duration(300_000, 'longest ImagePullBackOff delay'),
  sandboxRetryPeriod: opt.duration(10_000, 'retry period of a pod sandbox whose network setup failed (the pod worker\'s back-off period)'),
  imagePullMibPerSecond: opt.int(40, 'simulated image pull bandwidth, MiB/s (images are 20–200 MiB)', [1, 1_000_000]),
  containerStopDuration: opt.duration(1_000, 'how long a container takes to stop on SIGTERM unless ekslab.io/terminate-after says otherwise'),
  nodeBaseCpuMillicores: opt.int(40, 'simulated CPU a node uses besides its pods (system daemons), millicores: node_cpu_usage_seconds_total on /metrics', [0, 1_000_000]),
  nodeBaseMemoryMib: opt.int(400, 'simulated memory working set of a node besides its pods, MiB: node_memory_working_set_bytes on /metrics', [0, 1_000_000]),
  logHeartbeatInterval: opt.duration(10_000, 'period of the heartbeat line in simulated container logs unless ekslab.io/log-interval says otherwise; 0 = none'),
};
