import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The calling app's own pages that the widget redirects the browser to (success_url / failure_url): each
 * request is recorded, and the page shows the parameters Terra appended.
 */
export class LandingPageServer {
  readonly visits: URL[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.baseUrl);
      this.visits.push(url);
      const params = [...url.searchParams].map(([key, value]) => `<li><code>${escape(key)}</code> = <code>${escape(value)}</code></li>`).join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end(`<!doctype html><title>${escape(url.pathname)}</title><h1 id="landing">${escape(url.pathname)}</h1><ul>${params}</ul>`);
    });
  }

  static async start(): Promise<LandingPageServer> {
    const pages = new LandingPageServer();
    await new Promise<void>((resolve) => pages.server.listen(0, '127.0.0.1', resolve));
    return pages;
  }

  get baseUrl(): string {
    const address = this.server.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
