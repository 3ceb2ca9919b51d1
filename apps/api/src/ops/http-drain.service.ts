import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';

/** How often idle keep-alive connections are closed while draining: the moment a response ends, near enough. */
const IDLE_SWEEP_MS = 25;

/**
 * Graceful HTTP shutdown. On SIGTERM (app.close()), before any database or queue connection closes:
 * stop listening (new connections are refused, so Terra's retry goes to another instance), close idle
 * keep-alive connections, answer the requests in flight with `Connection: close`, and wait for them,
 * at most SHUTDOWN_TIMEOUT_MS; then cut what is left. A request either completes (inbox row committed
 * and 200 sent) or never started: no response is lost after its work is done.
 */
@Injectable()
export class HttpDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HttpDrain.name);
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'SHUTDOWN_TIMEOUT_MS'>,
  ) {}

  private get server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }

  onApplicationBootstrap(): void {
    this.server?.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      if (this.draining && !res.headersSent) res.setHeader('connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    this.draining = true;
    const pending = this.inFlight.size;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let forced = false;
    const deadline = setTimeout(() => {
      forced = true;
      server.closeAllConnections();
    }, this.config.SHUTDOWN_TIMEOUT_MS);
    this.logger.log(`Shutting down: refusing new connections, draining ${pending} request(s) in flight`);
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(deadline);
    }
    if (forced) this.logger.warn(`Requests still running after ${this.config.SHUTDOWN_TIMEOUT_MS} ms were cut`);
    else this.logger.log('HTTP server drained');
  }
}
