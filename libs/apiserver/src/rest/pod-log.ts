import { Metadata, status as GrpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { LogsReadRequest, type LogsReadResponse } from '@ekslab/proto';
import type { ApiServerOptions } from '../http/server.js';
import { failure } from '../http/status.js';
import { agentAddress, NodeAgents, type NodeLike } from '../node-agents.js';
import { findResource } from '../resources.js';
import { checkContainerLogStatus, logContainer, podLogOptions, type PodLike, type PodLogOptions } from './pod-log-options.js';
import type { RequestContext } from './request.js';

// One NodeAgents (gRPC channels to agents) per apiserver, created on first use.
const agentsByServer = new WeakMap<ApiServerOptions, NodeAgents>();
const agentsOf = (opts: ApiServerOptions): NodeAgents => {
  let agents = agentsByServer.get(opts);
  if (!agents) {
    agents = new NodeAgents(opts.nodeAgents);
    agentsByServer.set(opts, agents);
  }
  return agents;
};

const nodes = findResource('', 'v1', 'nodes')!;

/**
 * `GET pods/{name}/log` as kube-apiserver serves it (pkg/registry/core/pod/rest/log.go): options
 * validated, pod read, container chosen and checked, then the log streamed from the agent of the pod's
 * node as `text/plain` (kept open with `follow` until the agent ends the stream or the client leaves).
 * A pod not bound to a node has an empty log (200, no body). Unlike kube-apiserver, the container's
 * state is checked here from the pod status the agent reported (the kubelet checks its own copy), so
 * `waiting to start` answers come without dialing the node; the agent may still refuse with the same wording.
 */
export async function podLog(ctx: RequestContext): Promise<void> {
  const name = ctx.route.name!;
  const namespace = ctx.route.namespace;
  if (namespace === undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource');
  const opts = podLogOptions(name, ctx.query);
  // The shapes read here are the stored pod's and node's (validated on write).
  const pod = (await ctx.registry.get({ info: ctx.route.info, namespace, name }, ctx.signal)) as PodLike;
  const container = logContainer(pod, opts.container);
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') {
    ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 0 });
    ctx.res.end();
    return;
  }
  checkContainerLogStatus(pod, container, opts.previous);
  const agents = agentsOf(ctx.options);
  const node = (await ctx.registry.get({ info: nodes, name: nodeName }, ctx.signal)) as NodeLike;
  const address = agentAddress(node, agents.defaultPort);
  const stream = agents.logs(address).read(readRequest(namespace, name, container, opts), new Metadata());
  await relay(ctx, stream, { address, namespace, pod: name, container, ...(opts.limitBytes !== undefined ? { limitBytes: opts.limitBytes } : {}) });
}

function readRequest(namespace: string, pod: string, container: string, o: PodLogOptions): LogsReadRequest {
  return LogsReadRequest.create({
    namespace, pod, container, follow: o.follow, timestamps: o.timestamps, previous: o.previous, sinceTime: o.sinceTime ?? '',
    ...(o.tailLines !== undefined ? { tailLines: o.tailLines } : {}),
    ...(o.sinceSeconds !== undefined ? { sinceSeconds: o.sinceSeconds } : {}),
    ...(o.limitBytes !== undefined ? { limitBytes: o.limitBytes } : {}),
  });
}

interface RelayTarget {
  readonly address: string;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly limitBytes?: number;
}

/**
 * Copies the agent's stream to the response. Until the first chunk arrives a failure is still a Status
 * (`agentError`); after it, a failure can only cut the body short. Respects backpressure, cancels the
 * call when the client leaves, and stops at `limitBytes` even if the agent sends more.
 */
function relay(ctx: RequestContext, stream: ClientReadableStream<LogsReadResponse>, t: RelayTarget): Promise<void> {
  const res = ctx.res;
  return new Promise<void>((resolve, reject) => {
    let started = false;
    let sent = 0;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      if (err !== undefined && !started) return reject(err);
      if (!started) res.writeHead(200, { 'content-type': 'text/plain' });
      res.end();
      resolve();
    };
    const onAbort = (): void => {
      stream.cancel();
      finish();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: LogsReadResponse) => {
      if (done) return;
      if (!started) {
        started = true;
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
      }
      let data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
      if (t.limitBytes !== undefined && sent + data.length >= t.limitBytes) {
        data = data.subarray(0, t.limitBytes - sent);
        res.write(data);
        stream.cancel();
        return finish();
      }
      sent += data.length;
      if (!res.write(data)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => finish());
    stream.on('error', (err: ServiceError) => {
      if (err.code === GrpcStatus.CANCELLED && (done || ctx.signal.aborted)) return finish();
      finish(agentError(err, t));
    });
  });
}

/**
 * A failed Read as kube-apiserver reports a failed kubelet request (GenericHttpResponseChecker): the
 * agent's refusals (FAILED_PRECONDITION, INVALID_ARGUMENT) are 400 BadRequest with its message, NOT_FOUND
 * is 404 for `pods/log`, and an unreachable agent is a 500 naming the call that failed.
 */
export function agentError(err: ServiceError, t: Pick<RelayTarget, 'address' | 'namespace' | 'pod' | 'container'>): Error {
  switch (err.code) {
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.INVALID_ARGUMENT:
      return failure(400, 'BadRequest', err.details);
    case GrpcStatus.NOT_FOUND:
      return failure(404, 'NotFound', `the server could not find the requested resource ( pods/log ${t.pod})`, {
        name: t.pod, kind: 'pods/log', causes: [{ reason: 'UnexpectedServerResponse', message: err.details }],
      });
    default:
      return failure(500, '', `Get "grpc://${t.address}/ekslab.kubelet.v1.LogsService/Read?namespace=${t.namespace}&pod=${t.pod}&container=${t.container}": ${err.details || err.message}`);
  }
}
