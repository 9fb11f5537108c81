import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { HealthChecks, renderChecks } from './health.js';

export interface OpsServerOptions {
  readonly address: string;
  /** 0 picks a free port (tests); read the real one from `OpsServer.port`. */
  readonly port: number;
  readonly log: Logger;
  readonly service: string;
}

/**
 * The operations endpoint every service has: `/healthz` and `/livez` (the process runs), `/readyz` (the
 * service can do its job: its readiness checks pass and it is not shutting down) and `/metrics` in
 * Prometheus text format. It is plain HTTP, meant for the lab's private network and loopback.
 */
export class OpsServer {
  readonly registry = new Registry();
  readonly liveness = new HealthChecks();
  readonly readiness = new HealthChecks();
  private readonly server: Server;
  private shuttingDown = false;

  constructor(private readonly options: OpsServerOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    collectDefaultMetrics({ register: this.registry });
    this.readiness.add('shutdown', () => {
      if (this.shuttingDown) throw new Error('process is shutting down');
    });
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://ops');
      const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
        res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        reply(405, 'method not allowed\n');
        return;
      }
      const checks = url.pathname === '/readyz' ? this.readiness : url.pathname === '/healthz' || url.pathname === '/livez' ? this.liveness : undefined;
      if (checks) {
        void checks.run().then((results) => {
          const ok = results.every((r) => r.ok);
          reply(ok ? 200 : 503, renderChecks(results, url.searchParams.has('verbose'), url.pathname.slice(1)));
        });
        return;
      }
      if (url.pathname === '/metrics') {
        this.registry.metrics().then(
          (text) => reply(200, text, this.registry.contentType),
          (err: unknown) => reply(500, `${String(err)}\n`),
        );
        return;
      }
      reply(404, 'not found\n');
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.address, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.options.log.info({ address: this.options.address, port: this.port }, 'ops endpoint listening (/healthz /readyz /metrics)');
  }

  /** Marks the process not ready (so load balancers drain it) and closes the listener. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
