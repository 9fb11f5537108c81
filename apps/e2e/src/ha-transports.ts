import { Agent, request as httpsRequest } from 'node:https';
import { status as GrpcCode } from '@grpc/grpc-js';
import { ApiError, type ResourceClient } from '@ekslab/client';
import type { ConfigMap, ConfigMapTransport, Verdict } from './ha-writer.js';

// The two ways the workload reaches the apiservers through the load balancer: REST/JSON over HTTPS (what
// kubectl and client-go speak) and the lab's gRPC resource API (@ekslab/client's ResourceClient).

/** Socket-level failures: the request may or may not have reached a server. client-go retries these. */
const connectionErrors = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** A non-2xx answer, with what client-go looks at: the status, the Status reason and Retry-After. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly reason: string,
    /** Seconds from the Retry-After header; undefined when absent. */
    readonly retryAfterSeconds: number | undefined,
    message: string,
  ) {
    super(`${status} ${reason}: ${message}`);
  }
}

export interface RestTransportOptions {
  baseUrl: string;
  caPem: string;
  token: string;
  namespace: string;
  /** Reuse connections (client-go does): an established connection is pinned to one replica. Default true. */
  keepAlive?: boolean;
}

/**
 * ConfigMaps over REST. Retry rules are client-go's (rest.Request): a connection error, or a 429 / 5xx
 * that carries Retry-After, is retried; any other status is final.
 */
export class RestTransport implements ConfigMapTransport {
  private readonly agent: Agent;

  constructor(private readonly options: RestTransportOptions) {
    this.agent = new Agent({ keepAlive: options.keepAlive ?? true, ca: options.caPem });
  }

  create(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap> {
    return this.request('POST', this.path(), cm, signal);
  }
  get(name: string, signal: AbortSignal): Promise<ConfigMap> {
    return this.request('GET', this.path(name), undefined, signal);
  }
  update(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap> {
    return this.request('PUT', this.path(cm.metadata.name), cm, signal);
  }
  /** The whole collection (one page: the test's namespaces are small). */
  list(signal: AbortSignal): Promise<{ items: ConfigMap[]; metadata: { resourceVersion: string } }> {
    return this.request('GET', this.path(), undefined, signal);
  }

  classify(err: unknown): Verdict {
    if (err instanceof HttpStatusError) {
      if (err.status === 409) return err.reason === 'AlreadyExists' ? { kind: 'alreadyExists' } : { kind: 'conflict' };
      if ((err.status === 429 || err.status >= 500) && err.retryAfterSeconds !== undefined) {
        return { kind: 'retry', reason: String(err.status), afterMs: err.retryAfterSeconds * 1_000 };
      }
      return { kind: 'fatal', reason: err.message };
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && connectionErrors.has(code)) return { kind: 'retry', reason: code };
    // Node's names for a connection closed before a response (ECONNRESET variants without a code).
    const message = err instanceof Error ? err.message : String(err);
    if (/socket hang up|socket disconnected before secure TLS connection/.test(message)) return { kind: 'retry', reason: 'ECONNRESET' };
    return { kind: 'fatal', reason: message };
  }

  close(): void {
    this.agent.destroy();
  }

  private path(name?: string): string {
    return `/api/v1/namespaces/${this.options.namespace}/configmaps${name ? `/${name}` : ''}`;
  }

  private request<T>(method: string, path: string, body: unknown, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(`${this.options.baseUrl}${path}`, {
        method, agent: this.agent, signal,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', 'content-type': 'application/json' },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new HttpStatusError(status, '', undefined, `not JSON: ${text.slice(0, 200)}`));
            return;
          }
          if (status >= 200 && status < 300) {
            resolve(parsed as T);
            return;
          }
          const st = parsed as { reason?: string; message?: string };
          const retryAfter = res.headers['retry-after'];
          reject(new HttpStatusError(status, st.reason ?? '', retryAfter === undefined ? undefined : Number(retryAfter), st.message ?? text));
        });
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}

/**
 * ConfigMaps over the gRPC resource API. gRPC's convention replaces client-go's: UNAVAILABLE (the
 * connection failed or dropped) is retried, and so is a retryable Status that carries retryAfterSeconds.
 */
export class GrpcTransport implements ConfigMapTransport {
  constructor(private readonly client: ResourceClient<ConfigMap>) {}

  create(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap> {
    return this.client.create(cm, { signal });
  }
  get(name: string, signal: AbortSignal): Promise<ConfigMap> {
    return this.client.get(name, { signal });
  }
  update(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap> {
    return this.client.update(cm, { signal });
  }

  classify(err: unknown): Verdict {
    if (!(err instanceof ApiError)) return { kind: 'fatal', reason: String(err) };
    if (err.reason === 'AlreadyExists') return { kind: 'alreadyExists' };
    if (err.code === 409) return { kind: 'conflict' };
    if (err.grpcCode === GrpcCode.UNAVAILABLE) return { kind: 'retry', reason: 'UNAVAILABLE' };
    if (err.retryable && err.retryAfterSeconds > 0) return { kind: 'retry', reason: String(err.code), afterMs: err.retryAfterSeconds * 1_000 };
    return { kind: 'fatal', reason: `${err.code} ${err.reason} (grpc ${String(err.grpcCode)}): ${err.message}` };
  }
}
