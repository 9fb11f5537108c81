// ipamd's gRPC API: CNIBackend (the CNI plugin's AddNetwork/DelNetwork, aws-node's rpc_handler.go) and
// NodeService (a kubelet agent starting and stopping the IPAM of the nodes it hosts).
import { Metadata, status as GrpcCode, type sendUnaryData, type Server, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  AddNetworkReply,
  CNIBackendService,
  DelNetworkReply,
  EnsureNodeResponse,
  IPAMD_NODE_METADATA_KEY,
  NodeServiceService,
  type AddNetworkRequest,
  type CNIBackendServer,
  type DelNetworkRequest,
  type EnsureNodeRequest,
  type NodeServiceServer,
  type RemoveNodeRequest,
} from '@ekslab/proto';
import { NoAvailableAddressError } from '@ekslab/ipamd';
import type { Logger } from '@ekslab/runtime';
import { Ec2Error } from './ec2.js';
import type { IpamdMetrics } from './metrics.js';
import { EniConfigMissingError, InstanceNotFoundError, NO_AVAILABLE_IP_MESSAGE, type NodeIpam } from './node-ipam.js';
import type { Nodes } from './nodes.js';

/**
 * Trailing metadata of an AddNetwork answered success=false: ipamd's reason (aws-node logs it; the CNI
 * plugin only says "add cmd: failed to assign an IP address to container"). ekslab-only.
 */
export const IPAMD_ERROR_TRAILER = 'ekslab-ipamd-error';

/** The CNI network name, interface and network-namespace defaults when a caller leaves them empty. */
const DEFAULT_NETWORK_NAME = 'aws-cni';
const DEFAULT_IF_NAME = 'eth0';

export interface GrpcDeps {
  readonly nodes: Nodes;
  readonly log: Logger;
  readonly metrics?: IpamdMetrics;
  readonly externalSnat: boolean;
  readonly excludeSnatCidrs: readonly string[];
  /** Aborted on shutdown: EnsureNode adoptions stop with it. */
  readonly signal: AbortSignal;
}

type GrpcError = Error & { code: GrpcCode; details: string; metadata?: Metadata };

function grpcError(code: GrpcCode, message: string): GrpcError {
  return Object.assign(new Error(message), { code, details: message });
}

function nodeOf(call: ServerUnaryCall<unknown, unknown>, nodes: Nodes): NodeIpam {
  const [name] = call.metadata.get(IPAMD_NODE_METADATA_KEY);
  if (typeof name !== 'string' || name === '') throw grpcError(GrpcCode.INVALID_ARGUMENT, `missing gRPC metadata ${IPAMD_NODE_METADATA_KEY} (the node the call is for)`);
  const node = nodes.get(name);
  if (!node) throw grpcError(GrpcCode.NOT_FOUND, `node ${name} is not served by this ipamd (call NodeService.EnsureNode first)`);
  return node;
}

function toGrpc(log: Logger, method: string, err: unknown): GrpcError {
  if (err instanceof Error && 'code' in err && typeof err.code === 'number') return err as GrpcError;
  if (err instanceof InstanceNotFoundError) return grpcError(GrpcCode.NOT_FOUND, err.message);
  if (err instanceof EniConfigMissingError) return grpcError(GrpcCode.FAILED_PRECONDITION, err.message);
  if (err instanceof Ec2Error) return grpcError(GrpcCode.UNAVAILABLE, err.message);
  log.error({ err, method }, 'ipamd call failed');
  return grpcError(GrpcCode.INTERNAL, err instanceof Error ? err.message : String(err));
}

export function cniBackend({ nodes, log, metrics, externalSnat, excludeSnatCidrs }: GrpcDeps): CNIBackendServer {
  return {
    addNetwork(call: ServerUnaryCall<AddNetworkRequest, AddNetworkReply>, callback: sendUnaryData<AddNetworkReply>) {
      const req = call.request;
      let node: NodeIpam;
      try {
        node = nodeOf(call, nodes);
      } catch (err) {
        return callback(toGrpc(log, 'AddNetwork', err));
      }
      metrics?.addIpRequests.inc({ node: node.nodeName });
      const containerID = req.containerId || req.k8sPodInfraContainerId;
      const fail = (reason: string): void => {
        const trailer = new Metadata();
        trailer.set(IPAMD_ERROR_TRAILER, reason);
        callback(null, AddNetworkReply.create({ success: false }), trailer);
      };
      if (!containerID) {
        log.error({ node: node.nodeName, pod: `${req.k8sPodNamespace}/${req.k8sPodName}` }, 'Unable to generate IPAMKey: no container ID');
        return fail('Unable to generate IPAMKey: no container ID');
      }
      try {
        const a = node.assign({
          networkName: req.networkName || DEFAULT_NETWORK_NAME, containerID, ifName: req.ifName || DEFAULT_IF_NAME,
          namespace: req.k8sPodNamespace, name: req.k8sPodName,
        });
        // The SNAT decision (networkutils): the VPC's CIDRs are never SNATed; with the node SNATing
        // (no external SNAT) the exclusions are added to that list.
        const vpcV4Cidrs = externalSnat ? [...node.vpcCidrs] : [...node.vpcCidrs, ...excludeSnatCidrs];
        callback(null, AddNetworkReply.create({
          success: true,
          ipAddresses: [{ ipv4Addr: a.ip, ipv6Addr: '', deviceNumber: a.deviceNumber, routeTableId: a.deviceNumber + 1 }],
          useExternalSnat: externalSnat,
          vpcV4Cidrs,
        }));
      } catch (err) {
        if (err instanceof NoAvailableAddressError) {
          log.warn({ node: node.nodeName, pod: `${req.k8sPodNamespace}/${req.k8sPodName}`, containerID }, 'Returning failure response for AddNetwork: ' + NO_AVAILABLE_IP_MESSAGE);
          return fail(NO_AVAILABLE_IP_MESSAGE);
        }
        callback(toGrpc(log, 'AddNetwork', err));
      }
    },

    delNetwork(call: ServerUnaryCall<DelNetworkRequest, DelNetworkReply>, callback: sendUnaryData<DelNetworkReply>) {
      const req = call.request;
      let node: NodeIpam;
      try {
        node = nodeOf(call, nodes);
      } catch (err) {
        return callback(toGrpc(log, 'DelNetwork', err));
      }
      metrics?.delIpRequests.inc({ node: node.nodeName, reason: req.reason });
      const containerID = req.containerId || req.k8sPodInfraContainerId;
      try {
        const a = containerID ? node.unassign({ networkName: req.networkName || DEFAULT_NETWORK_NAME, containerID, ifName: req.ifName || DEFAULT_IF_NAME }) : undefined;
        callback(null, DelNetworkReply.create({
          success: true,
          ipAddresses: a ? [{ ipv4Addr: a.ip, ipv6Addr: '', deviceNumber: a.deviceNumber, routeTableId: a.deviceNumber + 1 }] : [],
        }));
      } catch (err) {
        callback(toGrpc(log, 'DelNetwork', err));
      }
    },
  };
}

export function nodeService({ nodes, log, signal }: GrpcDeps): NodeServiceServer {
  return {
    ensureNode(call: ServerUnaryCall<EnsureNodeRequest, EnsureNodeResponse>, callback: sendUnaryData<EnsureNodeResponse>) {
      const { nodeName, instanceId } = call.request;
      if (!nodeName || !instanceId) return callback(grpcError(GrpcCode.INVALID_ARGUMENT, 'node_name and instance_id are required'));
      const cancelled = new AbortController();
      call.on('cancelled', () => cancelled.abort(new Error('EnsureNode cancelled by the client')));
      nodes.ensure(nodeName, instanceId, AbortSignal.any([signal, cancelled.signal])).then(
        (node) => callback(null, EnsureNodeResponse.create({ primaryEniId: node.primaryEniId, primaryIp: node.instance.privateIpAddress, maxPods: node.maxPods })),
        (err: unknown) => callback(toGrpc(log, 'EnsureNode', err)),
      );
    },

    removeNode(call: ServerUnaryCall<RemoveNodeRequest, unknown>, callback: sendUnaryData<object>) {
      nodes.remove(call.request.nodeName).then(
        () => callback(null, {}),
        (err: unknown) => callback(toGrpc(log, 'RemoveNode', err)),
      );
    },
  };
}

export function registerIpamdServices(server: Server, deps: GrpcDeps): void {
  server.addService(CNIBackendService, cniBackend(deps));
  server.addService(NodeServiceService, nodeService(deps));
}
