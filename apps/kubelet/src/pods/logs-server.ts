// ekslab.kubelet.v1.LogsService: the kubelet's /containerLogs for the simulated containers of this agent's
// pods (the apiserver proxies pods/log here). Logs are computed from each container run (see
// @ekslab/kubelet logs.ts); a follower sleeps until the next line and ends when the run ends.
import { Server, ServerCredentials, status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import { logLines, nextLineAt, renderLines, type LogInstance } from '@ekslab/kubelet';
import { LogsServiceService, type LogsReadRequest, type LogsReadResponse, type LogsServiceServer } from '@ekslab/proto';
import type { Clock, Logger } from '@ekslab/runtime';
import type { PodManager } from './pod-manager.js';

class LogError extends Error {
  constructor(readonly code: GrpcStatus, message: string) {
    super(message);
    this.name = 'LogError';
  }
}

/** The log a request reads, or the kubelet's refusal (validateContainerLogStatus wording). */
function instanceFor(pods: PodManager, req: LogsReadRequest): LogInstance {
  const w = pods.worker(req.namespace, req.pod);
  if (w === undefined) throw new LogError(GrpcStatus.NOT_FOUND, `pod ${JSON.stringify(req.pod)} does not exist`);
  const c = w.rt.allContainers().find((x) => x.name === req.container);
  if (c === undefined) throw new LogError(GrpcStatus.NOT_FOUND, `container ${JSON.stringify(req.container)} not found in pod ${JSON.stringify(req.pod)}`);
  const names = `${JSON.stringify(req.container)} in pod ${JSON.stringify(req.pod)}`;
  if (req.previous) {
    if (c.previousLog === undefined) throw new LogError(GrpcStatus.FAILED_PRECONDITION, `previous terminated container ${names} not found`);
    return c.previousLog;
  }
  if (c.log === undefined) throw new LogError(GrpcStatus.FAILED_PRECONDITION, `container ${names} is waiting to start: ${c.waitingReason || 'ContainerCreating'}`);
  return c.log;
}

function sinceMs(req: LogsReadRequest, now: number): number | undefined {
  if (req.sinceSeconds !== undefined) return now - req.sinceSeconds * 1000;
  if (req.sinceTime !== '') {
    const t = Date.parse(req.sinceTime);
    if (Number.isNaN(t)) throw new LogError(GrpcStatus.INVALID_ARGUMENT, `invalid since_time ${JSON.stringify(req.sinceTime)}`);
    return t;
  }
  return undefined;
}

export class LogsServer {
  private readonly server = new Server();

  constructor(private readonly pods: PodManager, private readonly clock: Clock, private readonly log: Logger) {
    const impl: LogsServiceServer = { read: (call) => void this.read(call) };
    this.server.addService(LogsServiceService, impl);
  }

  /** Binds `0.0.0.0:<port>` (0 = any) and resolves to the bound port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`0.0.0.0:${port}`, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2_000).unref();
    });
  }

  private async read(call: ServerWritableStream<LogsReadRequest, LogsReadResponse>): Promise<void> {
    const req = call.request;
    const cancelled = new AbortController();
    call.on('cancelled', () => cancelled.abort());
    let budget = req.limitBytes ?? Number.POSITIVE_INFINITY;
    const send = (text: string): boolean => {
      if (text === '' || budget <= 0) return budget > 0;
      let data = Buffer.from(text);
      if (data.length > budget) data = data.subarray(0, budget);
      budget -= data.length;
      call.write({ data });
      return budget > 0;
    };
    try {
      const instance = instanceFor(this.pods, req);
      const now = this.clock.now();
      const since = sinceMs(req, now);
      const more = send(renderLines(logLines(instance, now), { tailLines: req.tailLines, sinceMs: since, timestamps: req.timestamps }));
      if (req.follow && more) await this.follow(instance, now, req, send, cancelled.signal);
      call.end();
    } catch (err) {
      if (err instanceof LogError) {
        call.destroy(Object.assign(new Error(err.message), { code: err.code, details: err.message }));
        return;
      }
      if (cancelled.signal.aborted) return;
      this.log.warn({ pod: `${req.namespace}/${req.pod}`, err: (err as Error).message }, 'log stream failed');
      call.destroy(Object.assign(new Error((err as Error).message), { code: GrpcStatus.INTERNAL }));
    }
  }

  /** Streams new lines as they appear until the run ends, the pod leaves the agent, or the caller cancels. */
  private async follow(instance: LogInstance, from: number, req: LogsReadRequest, send: (text: string) => boolean, signal: AbortSignal): Promise<void> {
    let sentUpTo = from;
    while (!signal.aborted) {
      const next = nextLineAt(instance, sentUpTo);
      if (next === undefined) return;
      try {
        // Re-check at least every 5 s that the pod is still here (its run may end without a last line).
        await this.clock.sleep(Math.max(0, Math.min(next, sentUpTo + 5_000) - this.clock.now()), signal);
      } catch {
        return;
      }
      const w = this.pods.worker(req.namespace, req.pod);
      if (w === undefined || !w.rt.allContainers().some((c) => c.log === instance || c.previousLog === instance)) return;
      const now = this.clock.now();
      const fresh = logLines(instance, now).filter((l) => l.at > sentUpTo);
      sentUpTo = now;
      if (!send(renderLines(fresh, { timestamps: req.timestamps }))) return;
    }
  }
}
