// What kube's pkg/controller (controller_utils.go, controller_ref_manager.go) gives every workload controller.
export type { OwnerReference, Meta, Condition, Toleration, Taint, Container, PodSpec, ContainerStatus, PodStatus, Pod, PodTemplateSpec, LabelSelectorObject, Node } from './types.js';
export { controllerOf, newControllerRef, podCondition, isPodReady, isPodAvailable, isPodActive, isPodTerminating, rfc3339, POD_NODE_INDEX, podNodeIndexFunc } from './pods.js';
export { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
export { slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from './slow-start.js';
export { compareForDeletion, podsToDelete } from './ranking.js';
export { PodControl, podFromTemplate, claim } from './pod-control.js';
export type { PodControlOptions, ClaimOptions } from './pod-control.js';
export { toleratesTaint, untoleratedTaint, sameTaint } from './taints.js';
