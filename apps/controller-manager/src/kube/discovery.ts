import { request } from 'node:https';
import type { GroupVersionResource } from '@ekslab/proto';

/** A namespaced or cluster-scoped resource as discovery lists it (sub-resources left out). */
export interface ApiResource {
  readonly gvr: GroupVersionResource;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** A discovery request failed (transport or non-2xx); retryable. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  readonly retryable = true;
  constructor(message: string, readonly statusCode?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface RestDiscoveryOptions {
  /** `https://host:port` of the Kubernetes API. */
  readonly server: string;
  readonly ca: Buffer;
  readonly token: () => string;
  /** Deadline of one request, ms. */
  readonly timeoutMs?: number;
}

interface APIResourceList { resources?: Array<{ name: string; namespaced: boolean; verbs?: string[] }> }
interface APIGroupList { groups?: Array<{ name: string; preferredVersion?: { version: string } }> }

/**
 * Legacy discovery over the REST API (`/api/v1`, `/apis`, `/apis/<group>/<preferred version>`): what
 * client-go's ServerPreferredResources reads. The lab's gRPC API has no discovery, so controllers that
 * act on "every resource" (namespace deletion, garbage collection) ask here.
 *
 * A group whose document fails is left out and reported in `error` (client-go's ErrGroupDiscoveryFailed);
 * failing to read the group list itself rejects.
 */
export class RestDiscovery {
  constructor(private readonly options: RestDiscoveryOptions) {}

  async serverPreferredResources(signal: AbortSignal): Promise<{ resources: ApiResource[]; error?: DiscoveryError }> {
    const groups = await this.get<APIGroupList>('/apis', signal);
    const gvs = [{ group: '', version: 'v1', path: '/api/v1' }];
    for (const g of groups.groups ?? []) {
      if (g.preferredVersion) gvs.push({ group: g.name, version: g.preferredVersion.version, path: `/apis/${g.name}/${g.preferredVersion.version}` });
    }
    const resources: ApiResource[] = [];
    const failed: string[] = [];
    const docs = await Promise.all(gvs.map(async (gv) => {
      try {
        return { gv, doc: await this.get<APIResourceList>(gv.path, signal) };
      } catch (err) {
        if (signal.aborted) throw err;
        failed.push(`${gv.group ? `${gv.group}/` : ''}${gv.version}: ${(err as Error).message}`);
        return undefined;
      }
    }));
    for (const d of docs) {
      for (const r of d?.doc.resources ?? []) {
        if (r.name.includes('/')) continue;
        resources.push({ gvr: { group: d!.gv.group, version: d!.gv.version, resource: r.name }, namespaced: r.namespaced, verbs: r.verbs ?? [] });
      }
    }
    if (failed.length === 0) return { resources };
    failed.sort();
    return { resources, error: new DiscoveryError(`Discovery failed for some groups, ${failed.length} failing: unable to retrieve the complete list of server APIs: ${failed.join(', ')}`) };
  }

  /** The namespaced resources only (client-go's ServerPreferredNamespacedResources). */
  async serverPreferredNamespacedResources(signal: AbortSignal): Promise<{ resources: ApiResource[]; error?: DiscoveryError }> {
    const all = await this.serverPreferredResources(signal);
    return { ...all, resources: all.resources.filter((r) => r.namespaced) };
  }

  private get<T>(path: string, signal: AbortSignal): Promise<T> {
    const { server, ca, token, timeoutMs = 30_000 } = this.options;
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const req = request(new URL(path, server), {
        method: 'GET', ca, timeout: timeoutMs, signal,
        headers: { accept: 'application/json', authorization: `Bearer ${token()}` },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) {
            reject(new DiscoveryError(`GET ${path}: ${code} ${body.slice(0, 200).trim()}`, code));
            return;
          }
          try {
            resolve(JSON.parse(body) as T);
          } catch (err) {
            reject(new DiscoveryError(`GET ${path}: invalid JSON`, code, { cause: err }));
          }
        });
      });
      req.on('timeout', () => req.destroy(new DiscoveryError(`GET ${path}: timed out after ${timeoutMs}ms`)));
      req.on('error', (err) => reject(signal.aborted ? (signal.reason as Error) : err instanceof DiscoveryError ? err : new DiscoveryError(`GET ${path}: ${err.message}`, undefined, { cause: err })));
      req.end();
    });
  }
}
