import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';
import { RingBuffer } from './ring-buffer';

export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: string;
  status: number;
  injected: boolean;
}

export interface RestFault {
  id: number;
  /** Exact request path as sent, e.g. `/v2/userInfo`; `*` matches every Terra path. */
  path: string;
  method: string | null;
  status: number;
  remaining: number;
}

/** Terra's REST surface as opposed to the widget pages and control routes. */
function isTerraPath(path: string): boolean {
  return path.startsWith('/v2/') || path.startsWith('/api/');
}

/**
 * Sits in front of routing: records every Terra REST request (so a test can count the SDK's retries) and
 * answers injected faults before auth or handlers run, as an overloaded Terra edge would.
 */
@Injectable()
export class TerraTrafficService {
  private readonly log: RingBuffer<RecordedRequest>;
  private faults: RestFault[] = [];
  private seq = 0;
  private faultSeq = 0;

  constructor(@Inject(SANDBOX_CONFIG) config: SandboxConfig) {
    this.log = new RingBuffer(config.SANDBOX_LOG_LIMIT);
  }

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    if (!isTerraPath(request.path)) {
      next();
      return;
    }
    const fault = this.takeFault(request.method, request.path);
    const entry: RecordedRequest = {
      seq: (this.seq += 1),
      at: new Date().toISOString(),
      method: request.method,
      path: request.path,
      query: request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
      status: 0,
      injected: fault !== undefined,
    };
    response.on('finish', () => {
      entry.status = response.statusCode;
      this.log.push(entry);
    });
    if (!fault) {
      next();
      return;
    }
    if (fault.status === 429) response.setHeader('Retry-After', '1');
    response.status(fault.status).json({ status: 'error', message: `injected fault (${fault.status})` });
  };

  addFault(input: { path: string; method?: string; status: number; count: number }): RestFault {
    const fault: RestFault = {
      id: (this.faultSeq += 1),
      path: input.path === '*' ? '*' : input.path.replace(/\/+$/, ''),
      method: input.method ? input.method.toUpperCase() : null,
      status: input.status,
      remaining: input.count,
    };
    this.faults.push(fault);
    return fault;
  }

  listFaults(): RestFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  requests(filter: { path?: string; method?: string; limit: number }): RecordedRequest[] {
    const method = filter.method?.toUpperCase();
    return this.log.newest(
      filter.limit,
      (entry) => (!filter.path || entry.path === filter.path) && (!method || entry.method === method),
    );
  }

  clearFaults(): void {
    this.faults = [];
  }

  reset(): void {
    this.faults = [];
    this.log.clear();
  }

  private takeFault(method: string, path: string): RestFault | undefined {
    // Few faults are ever armed at once, so a scan here costs nothing.
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.path === '*' || candidate.path === path) &&
        (candidate.method === null || candidate.method === method),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }
}
