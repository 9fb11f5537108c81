// Every controller the controller-manager can run, in kube's order of registration. --controllers picks.
import type { ControllerDescriptor } from '../framework/controller.js';
import { daemonSetController } from './daemonset/descriptor.js';
import { deploymentController } from './deployment/descriptor.js';
import { namespaceController } from './namespace/descriptor.js';
import { replicaSetController } from './replicaset/descriptor.js';

export const allControllers: readonly ControllerDescriptor[] = [
  namespaceController,
  deploymentController,
  replicaSetController,
  daemonSetController,
];
