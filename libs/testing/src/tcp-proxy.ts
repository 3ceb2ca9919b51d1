import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type TcpProxyState = 'open' | 'paused' | 'closed';

/**
 * A TCP proxy in front of Postgres or Redis that a test can break: point a process's DATABASE_URL or
 * REDIS_URL at `port`, then
 * - `close()`: every connection is cut and new ones are dropped at once (the server went away);
 * - `pause()`: connections are accepted but nothing flows (a network partition; clients time out);
 * - `resume()`: traffic flows again (held connections are connected through).
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private readonly held: Socket[] = [];
  private stateValue: TcpProxyState = 'open';

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host?: string; port: number }, initial: TcpProxyState = 'open'): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, { host: target.host ?? '127.0.0.1', port: target.port });
    proxy.stateValue = initial;
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get state(): TcpProxyState {
    return this.stateValue;
  }

  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  close(): void {
    this.stateValue = 'closed';
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    for (const client of this.held.splice(0)) client.destroy();
  }

  pause(): void {
    if (this.stateValue === 'paused') return;
    this.stateValue = 'paused';
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  resume(): void {
    const wasPaused = this.stateValue === 'paused';
    this.stateValue = 'open';
    if (wasPaused) {
      for (const { client, upstream } of this.pairs) {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    }
    for (const client of this.held.splice(0)) this.pipe(client);
  }

  async stop(): Promise<void> {
    this.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.stateValue === 'closed') {
      client.destroy();
      return;
    }
    if (this.stateValue === 'paused') {
      this.held.push(client);
      client.once('close', () => {
        const index = this.held.indexOf(client);
        if (index >= 0) this.held.splice(index, 1);
      });
      return;
    }
    this.pipe(client);
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.once('close', () => this.pairs.delete(pair));
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
