import { expectStatus } from './api-client';
import { requestJson, type JsonResponse } from './json-http';

/** A sandbox user as the control API shows it. */
export interface SandboxUserView {
  user_id: string;
  provider: string;
  reference_id: string | null;
  scopes: string | null;
  active: boolean;
}

export interface DeliveryAttemptView {
  attempt: number;
  status_code: number | null;
  error: string | null;
  injected: boolean;
}

/** One webhook the sandbox sent (or is still trying to send), as /sandbox/deliveries lists it. */
export interface DeliveryView {
  id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  trace_id: string;
  user_ids: string[];
  duplicate_of: string | null;
  attempts: DeliveryAttemptView[];
  payload?: Record<string, unknown>;
}

/** The sandbox from a test's side: its control API (/sandbox/...) and its Terra REST surface (/v2/...). */
export class SandboxControl {
  constructor(
    readonly baseUrl: string,
    private readonly credentials: { devId: string; apiKey: string },
  ) {}

  control<T>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    return requestJson<T>(`${this.baseUrl}${path}`, { method, body });
  }

  /** A Terra REST call with the dev-id and key, as the SDK would send it. */
  terra<T>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    return requestJson<T>(`${this.baseUrl}/v2${path}`, {
      method,
      body,
      headers: { 'dev-id': this.credentials.devId, 'x-api-key': this.credentials.apiKey },
    });
  }

  /** 200 answers only; anything else fails with the sandbox's answer. */
  async act<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.control<T>(method, path, body);
    if (res.status !== 200 && res.status !== 201) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async user(userId: string): Promise<SandboxUserView | undefined> {
    const res = await this.control<{ user: SandboxUserView }>('GET', `/sandbox/users/${userId}`);
    return res.status === 404 ? undefined : expectStatus(res, 200, 'GET /sandbox/users/:id').user;
  }

  async delivery(deliveryId: string): Promise<DeliveryView> {
    return expectStatus(await this.control<DeliveryView>('GET', `/sandbox/deliveries/${deliveryId}`), 200, 'GET /sandbox/deliveries/:id');
  }

  /** Newest first. */
  async deliveries(filter: { user_id?: string; type?: string } = {}): Promise<DeliveryView[]> {
    const query = new URLSearchParams({ ...filter, limit: '10000' });
    const res = await this.control<{ deliveries: DeliveryView[] }>('GET', `/sandbox/deliveries?${query}`);
    return expectStatus(res, 200, 'GET /sandbox/deliveries').deliveries;
  }
}
