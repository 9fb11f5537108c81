// Event reasons and message texts as the kubelet (pkg/kubelet/events, kuberuntime, images), containerd and
// the VPC CNI plugin word them (Kubernetes 1.33).
import { formatGoDuration } from './behaviour.js';

/** `name_namespace(uid)`: the kubelet's format.Pod. */
export const formatPod = (p: { readonly name: string; readonly namespace: string; readonly uid: string }): string => `${p.name}_${p.namespace}(${p.uid})`;

export const msg = {
  pulling: (image: string) => `Pulling image "${image}"`,
  pulled: (image: string, pullMs: number, totalMs: number, size: number) =>
    `Successfully pulled image "${image}" in ${formatGoDuration(pullMs)} (${formatGoDuration(totalMs)} including waiting). Image size: ${size} bytes.`,
  alreadyPresent: (image: string) => `Container image "${image}" already present on machine`,
  failedToPull: (image: string, err: string) => `Failed to pull image "${image}": ${err}`,
  backOffPull: (image: string) => `Back-off pulling image "${image}"`,
  /** The waiting message of ImagePullBackOff (1.33 keeps the previous pull error). */
  backOffPullWaiting: (image: string, err: string) => `Back-off pulling image "${image}": ErrImagePull: ${err}`,
  neverPull: (image: string) => `Container image "${image}" is not present with pull policy of Never`,
  error: (reason: string) => `Error: ${reason}`,
  created: (container: string) => `Created container: ${container}`,
  started: (container: string) => `Started container ${container}`,
  stopping: (container: string) => `Stopping container ${container}`,
  livenessKill: (container: string) => `Container ${container} failed liveness probe, will be restarted`,
  probeKill: (container: string, probe: 'liveness' | 'startup') => `Container ${container} failed ${probe} probe, will be restarted`,
  /** pkg/kubelet/active_deadline.go */
  deadlineExceeded: 'Pod was active on the node longer than the specified deadline',
  backOffRestart: (container: string, pod: string) => `Back-off restarting failed container ${container} in pod ${pod}`,
  crashLoopWaiting: (delayMs: number, container: string, pod: string) =>
    `back-off ${formatGoDuration(delayMs)} restarting failed container=${container} pod=${pod}`,
  /** kubelet + containerd + aws-cni when ipamd has no address for the sandbox. */
  sandboxNoAddress: (sandboxId: string) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandboxId}": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP address to container`,
  /** The same when ipamd cannot be reached at all (the plugin's gRPC dial error). */
  sandboxNetworkError: (sandboxId: string, err: string) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandboxId}": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: Error received from AddNetwork gRPC call for containerID ${sandboxId}: ${err}`,
  containersNotReady: (names: readonly string[]) => `containers with unready status: [${names.join(' ')}]`,
  containersNotInitialized: (names: readonly string[]) => `containers with incomplete status: [${names.join(' ')}]`,
} as const;

export type EventReason =
  | 'Pulling' | 'Pulled' | 'Failed' | 'BackOff' | 'ErrImageNeverPull' | 'Created' | 'Started' | 'Killing' | 'Unhealthy'
  | 'FailedCreatePodSandBox' | 'DeadlineExceeded';
