// @ekslab/cloud-events — the schemas of the simulated cloud's events on NATS JetStream, shared by the cloud
// service (publisher) and its consumers (kubelet agents, ipamd, cloud-controller-manager, chaos).
export { cloudEventSubjectPrefix, cloudEventStream, subjectOf } from './events.js';
export type {
  CloudEvent, CloudEventKind, CloudEventInput, InstanceState, InstanceStateChanged, SpotInterruptionWarning, ScalingActivity,
  NetworkInterfaceChanged, LoadBalancerStateChanged, TargetsChanged, FaultChanged,
} from './events.js';
export { replayCloudEvents, MalformedCloudEventError } from './replay.js';
export type { ReplayOptions, ReplayedEvent } from './replay.js';
