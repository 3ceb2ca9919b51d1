import { requestJson, type JsonResponse } from './json-http';

/** `Connection` as GET /v1/connections answers it (docs/http-api.md). */
export interface ConnectionView {
  connection_id: string;
  terra_user_id: string;
  terra_user_ids: string[];
  reference_id: string | null;
  provider: string;
  status: 'active' | 'error' | 'revoked' | 'disconnected';
  scopes: string[];
  connected_at: string | null;
  disconnected_at: string | null;
  last_webhook_at: string | null;
  last_sync_at: string | null;
  status_reason: string | null;
  created_at: string;
  updated_at: string;
  freshness: 'fresh' | 'stale' | 'unknown';
  last_data_at: string | null;
}

export interface WidgetStarted {
  type: 'widget';
  url: string;
  session_id: string;
  expires_at: string;
  reference_id: string;
}

export interface DirectStarted {
  type: 'direct';
  url: string;
  terra_user_id: string;
  reference_id: string;
  provider: string;
}

export interface HealthDataItem {
  type: string;
  summary_id?: string;
  date?: string;
  start_time: string | null;
  end_time: string | null;
  updated_at: string;
  payload: Record<string, unknown>;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** The terra-connections HTTP API as an internal service calls it: bearer key, JSON. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  call<T>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    return requestJson<T>(`${this.baseUrl}${path}`, { method, body, headers: { authorization: `Bearer ${this.apiKey}` } });
  }

  /** 201 expected; anything else fails with the API's answer in the message. */
  async startConnection<T extends WidgetStarted | DirectStarted>(body: Record<string, unknown>): Promise<T> {
    return expectStatus(await this.call<T>('POST', '/v1/connections', body), 201, 'POST /v1/connections');
  }

  async connectionsOf(referenceId: string): Promise<ConnectionView[]> {
    const res = await this.call<Page<ConnectionView>>('GET', `/v1/connections?reference_id=${encodeURIComponent(referenceId)}&limit=200`);
    return expectStatus(res, 200, 'GET /v1/connections').data;
  }

  async connection(terraUserId: string): Promise<ConnectionView | undefined> {
    const res = await this.call<ConnectionView>('GET', `/v1/connections/${encodeURIComponent(terraUserId)}`);
    return res.status === 404 ? undefined : expectStatus(res, 200, 'GET /v1/connections/:id');
  }

  async healthData(terraUserId: string, type: string): Promise<HealthDataItem[]> {
    const res = await this.call<Page<HealthDataItem>>('GET', `/v1/connections/${encodeURIComponent(terraUserId)}/data?type=${type}&limit=200`);
    return expectStatus(res, 200, 'GET /v1/connections/:id/data').data;
  }
}

export function expectStatus<T>(res: JsonResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what} answered ${res.status} (expected ${status}): ${JSON.stringify(res.body)}`);
  return res.body;
}
