import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body as received, for signature checks. */
  body: string;
  json: { type: string } & Record<string, unknown>;
  receivedAt: number;
}

/** What the receiver answers; `hang` never answers (to provoke the sandbox's timeout). */
export type ReceiverAnswer = number | 'hang';

/**
 * A plain node:http webhook destination for tests: records every request byte for byte and answers
 * 200 unless told otherwise (per call, in order).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly answers: ReceiverAnswer[] = [];
  private readonly server: Server;
  private readonly hanging = new Set<() => void>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: req.headers, body, json: JSON.parse(body), receivedAt: Date.now() });
        const answer = this.answers.shift() ?? 200;
        if (answer === 'hang') {
          const release = () => res.destroy();
          this.hanging.add(release);
          return;
        }
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/terra`;
  }

  /** Answers for the next requests, in order; afterwards 200 again. */
  answerNext(...answers: ReceiverAnswer[]): void {
    this.answers.push(...answers);
  }

  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((hook) => hook.json.type === type);
  }

  withTrace(traceId: string): ReceivedWebhook[] {
    return this.received.filter((hook) => hook.headers['x-terra-trace-id'] === traceId);
  }

  clear(): void {
    this.received.length = 0;
    this.answers.length = 0;
  }

  async stop(): Promise<void> {
    for (const release of this.hanging) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
