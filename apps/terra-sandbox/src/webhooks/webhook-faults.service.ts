import { Injectable } from '@nestjs/common';

/**
 * `status`: the attempt is not sent and is recorded as that HTTP status (as if a proxy answered);
 * `timeout`: the request is sent but its answer ignored, so the receiver sees the event and then its retry;
 * `reset`: the connection "drops" before anything is sent.
 */
export type WebhookFaultKind = 'status' | 'timeout' | 'reset';

export interface WebhookFault {
  id: number;
  kind: WebhookFaultKind;
  status: number | null;
  /** Only attempts of this event type, or any when null. */
  type: string | null;
  remaining: number;
}

/** Faults armed for the next N webhook attempts. */
@Injectable()
export class WebhookFaults {
  private faults: WebhookFault[] = [];
  private seq = 0;

  add(input: { kind: WebhookFaultKind; status?: number; type?: string; count: number }): WebhookFault {
    const fault: WebhookFault = {
      id: (this.seq += 1),
      kind: input.kind,
      status: input.kind === 'status' ? (input.status ?? 500) : null,
      type: input.type ?? null,
      remaining: input.count,
    };
    this.faults.push(fault);
    return fault;
  }

  /** Consumes one use of the first fault matching this event type. */
  take(type: string): WebhookFault | undefined {
    const fault = this.faults.find((candidate) => candidate.type === null || candidate.type === type);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return { ...fault };
  }

  list(): WebhookFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }
}
