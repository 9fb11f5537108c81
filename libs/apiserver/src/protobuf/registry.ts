import { AUTH_SCHEMA } from './schema-auth.js';
import { CONTAINER_SCHEMA } from './schema-container.js';
import { CORE_SCHEMA } from './schema-core.js';
import { META_SCHEMA } from './schema-meta.js';
import { POD_SCHEMA } from './schema-pod.js';
import { POLICY_SCHEMA } from './schema-policy.js';
import { WORKLOADS_SCHEMA } from './schema-workloads.js';
import { buildSchema } from './schema.js';

/** Every message the decoder knows, checked for dangling references when this module loads. */
export const schema = buildSchema(META_SCHEMA, CORE_SCHEMA, POD_SCHEMA, CONTAINER_SCHEMA, WORKLOADS_SCHEMA, POLICY_SCHEMA, AUTH_SCHEMA);
