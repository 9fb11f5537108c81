import { credentials } from '@grpc/grpc-js';
import { NodeServiceClient } from '@ekslab/proto';
import { unary } from '../cloud/unary.js';
import type { IpamdNodes } from './nodegroup-source.js';

/** The AZ's ipamd NodeService at `endpoint` (host:port, plaintext); `close` ends its channel. */
export function grpcIpamdNodes(endpoint: string, timeoutMs: number): IpamdNodes & { close(): void } {
  const client = new NodeServiceClient(endpoint, credentials.createInsecure());
  return {
    ensureNode: async (nodeName, instanceId, signal) => {
      const res = await unary('EnsureNode', client.ensureNode.bind(client), { nodeName, instanceId }, signal, timeoutMs);
      if (res.maxPods <= 0) throw new Error(`EnsureNode ${nodeName}: ipamd answered max pods ${res.maxPods}`);
      return { maxPods: res.maxPods, primaryIp: res.primaryIp };
    },
    removeNode: async (nodeName, signal) => {
      await unary('RemoveNode', client.removeNode.bind(client), { nodeName }, signal, timeoutMs);
    },
    close: () => client.close(),
  };
}
