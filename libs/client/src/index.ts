// Public surface of @ekslab/client: the typed gRPC client, workqueue, informer and leader election.
export { ApiError, TerminalError, isNotFound, isConflict, isAlreadyExists, isGone, apiErrorFromGrpc } from './errors.js';
export { objectKey, splitKey } from './types.js';
export type { KubeObject, ObjectMeta, WatchEvent, WatchEventType, ListOpts, WatchOpts, ListPage, ListerWatcher } from './types.js';
export { ResourceClient, DEFAULT_CALL_DEADLINE_MS } from './resource-client.js';
export type { ResourceClientOptions, ImpersonationConfig, CallOpts, PatchKind } from './resource-client.js';
export { FakeClock, settle } from './fake-clock.js';
export {
  ItemExponentialRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  DEFAULT_ITEM_BACKOFF,
  DEFAULT_BUCKET,
} from './rate-limiters.js';
export type { RateLimiter } from './rate-limiters.js';
export { WorkQueue } from './workqueue.js';
export type { WorkQueueOptions } from './workqueue.js';
export { runWorkers, enqueueKeys } from './workers.js';
export type { Reconcile, ReconcileResult, RunWorkersOptions } from './workers.js';
export { Backoff, REFLECTOR_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { Store, NAMESPACE_INDEX, namespaceIndexFunc } from './store.js';
export type { CacheReader, IndexFunc } from './store.js';
export { Reflector, DEFAULT_PAGE_SIZE } from './reflector.js';
export type { ReflectorOptions, ReflectorSink } from './reflector.js';
export { Informer } from './informer.js';
export type { InformerOptions, EventHandlers, DeleteInfo } from './informer.js';
export { FakeListerWatcher, expiredError } from './fake-lister-watcher.js';
export { formatMicroTime, LEASES_GVR, ResourceLeaseStore, MemoryLeaseStore } from './lease.js';
export type { Lease, LeaseSpec, LeaseStore } from './lease.js';
export { LeaderElector, LEADER_ELECTION_DEFAULTS } from './leader-elector.js';
export type { LeaderElectorOptions, LeaderCallbacks } from './leader-elector.js';
// The lab's credentials (CA + static tokens) from the apiservers' shared cert dir, for the lab's own components.
export { loadCredentials, waitForCredentials, CredentialsUnavailableError } from './lab-credentials.js';
export type { LabCredentials } from './lab-credentials.js';
// The lab's node tokens (`system:node:<name>` from node-token.key): minted by kubelet agents, checked by the apiserver.
export {
  NODE_TOKEN_PREFIX,
  NODE_TOKEN_SECRET_MIN_BYTES,
  generateNodeTokenSecret,
  isNodeToken,
  mintNodeToken,
  nodeTokenSecret,
  parseNodeToken,
} from './node-token.js';
export { campaignForLease } from './campaign.js';
export type { CampaignOptions } from './campaign.js';
