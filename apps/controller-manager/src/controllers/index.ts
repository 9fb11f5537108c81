// Every controller the controller-manager can run, in kube's order of registration. --controllers picks.
import type { ControllerDescriptor } from '../framework/controller.js';
import { cronJobController } from './cronjob/descriptor.js';
import { daemonSetController } from './daemonset/descriptor.js';
import { deploymentController } from './deployment/descriptor.js';
import { endpointsController } from './endpoints/descriptor.js';
import { endpointSliceController } from './endpointslice/descriptor.js';
import { garbageCollectorController } from './garbage-collector/descriptor.js';
import { jobController } from './job/descriptor.js';
import { namespaceController } from './namespace/descriptor.js';
import { nodeLifecycleController, taintEvictionController } from './node-lifecycle/descriptor.js';
import { podGcController } from './podgc/descriptor.js';
import { replicaSetController } from './replicaset/descriptor.js';
import { rootCaPublisher, serviceAccountController } from './serviceaccount/descriptor.js';
import { ttlAfterFinishedController } from './ttl-after-finished/descriptor.js';

export const allControllers: readonly ControllerDescriptor[] = [
  namespaceController,
  deploymentController,
  replicaSetController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  daemonSetController,
  nodeLifecycleController,
  taintEvictionController,
  garbageCollectorController,
  podGcController,
  endpointsController,
  endpointSliceController,
  serviceAccountController,
  rootCaPublisher,
];
