// Where the apiserver reaches this agent for pods/log: the Node annotation ekslab.io/agent-endpoint
// (`<advertise-address>:<port>`) and status.daemonEndpoints.kubeletEndpoint.Port.
import type { Node } from '@ekslab/kubelet';

/** The apiserver's AGENT_ENDPOINT_ANNOTATION (libs/apiserver node-agents.ts; the kubelet scope may not import it). */
export const AGENT_ENDPOINT_ANNOTATION = 'ekslab.io/agent-endpoint';

export interface AgentEndpoint {
  readonly host: string;
  readonly port: number;
}

export const endpointString = (e: AgentEndpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/** The Node to create, publishing the endpoint. */
export function withAgentEndpoint(node: Node, e: AgentEndpoint): Node {
  return {
    ...node,
    metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, [AGENT_ENDPOINT_ANNOTATION]: endpointString(e) } },
    status: { ...node.status, daemonEndpoints: { kubeletEndpoint: { Port: e.port } } },
  };
}

interface NodeView {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> | undefined };
  readonly status?: { readonly daemonEndpoints?: { readonly kubeletEndpoint?: { readonly Port?: number } } } | undefined;
}

/** The patches an existing Node needs so it publishes `e` (none when it already does). */
export function endpointPatches(stored: unknown, e: AgentEndpoint): Array<{ patch: object; subresource?: 'status' }> {
  const n = stored as NodeView;
  const out: Array<{ patch: object; subresource?: 'status' }> = [];
  if (n.metadata?.annotations?.[AGENT_ENDPOINT_ANNOTATION] !== endpointString(e)) {
    out.push({ patch: { metadata: { annotations: { [AGENT_ENDPOINT_ANNOTATION]: endpointString(e) } } } });
  }
  if (n.status?.daemonEndpoints?.kubeletEndpoint?.Port !== e.port) {
    out.push({ patch: { status: { daemonEndpoints: { kubeletEndpoint: { Port: e.port } } } }, subresource: 'status' });
  }
  return out;
}
