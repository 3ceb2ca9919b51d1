import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, refusal } from './address-guard';

export interface SendResult {
  /** null when no response came (refused address, connection error, deadline). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Responses are read only this far: the status code is what counts; the rest is for the attempt log. */
const MAX_RESPONSE_BYTES = 1024;

/** A receiver's Location header as the attempt log keeps it: bounded, it is the receiver's text, not ours. */
function loggableLocation(location: string | undefined): string {
  if (!location) return '?';
  return location.length > 200 ? `${location.slice(0, 200)}...[cut]` : location;
}

/**
 * Posts one signed body. Never follows a redirect (a 3xx is a failed attempt like any non-2xx: a redirect
 * could point at an internal address the guard would refuse). The address guard runs on the address
 * connected to (agent lookup) and, for a literal IP host, before connecting. One deadline covers connect,
 * send and the response head.
 */
export class EventSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly options: { allowPrivate: boolean; timeoutMs: number },
  ) {
    const lookup = guardedLookup(options.allowPrivate);
    this.httpAgent = new http.Agent({ keepAlive: true, lookup, maxSockets: 64 });
    this.httpsAgent = new https.Agent({ keepAlive: true, lookup, maxSockets: 64 });
  }

  send(target: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return Promise.resolve({ statusCode: null, error: 'invalid URL', durationMs: 0 });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const refused = refusal(host, this.options.allowPrivate);
      if (refused) return Promise.resolve({ statusCode: null, error: `refused to connect to ${host}: ${refused}`, durationMs: 0 });
    }
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...result, durationMs: elapsed() });
      };
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'terra-connections', ...headers },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) response.destroy();
          });
          response.on('error', () => undefined);
          response.on('close', () => finish({ statusCode: status, error: null }));
          response.on('end', () => finish({ statusCode: status, error: null }));
          // The status is known now; the body only has to drain.
          finish({ statusCode: status, error: status >= 300 && status < 400 ? `redirect to ${loggableLocation(response.headers.location)} not followed` : null });
        },
      );
      // The whole exchange, the response body's drain included: a receiver that answers its status and then
      // trickles the body would otherwise keep the socket (and the agent's per-host slots) for as long as it likes.
      const deadline = setTimeout(() => {
        request.destroy(new Error(`no response within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      request.on('close', () => clearTimeout(deadline));
      request.on('error', (error: Error) => finish({ statusCode: null, error: error.message }));
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
