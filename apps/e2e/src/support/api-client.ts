import { createTerraConnectionsClient, type components, type TerraConnectionsClient } from '@terra-connections/client';
import { requestJson, type JsonResponse } from './json-http';

type Schemas = components['schemas'];
/** The API's shapes, from the generated client (packages/client), so a test cannot assume a field the API lacks. */
export type ConnectionView = Schemas['ConnectionResponse'];
export type WidgetStarted = Schemas['WidgetConnectResponse'];
export type DirectStarted = Schemas['DirectConnectResponse'];
export type HealthDataItem = Schemas['HealthDataItemResponse'];

/**
 * The terra-connections HTTP API as an internal service calls it: through `@terra-connections/client`
 * (`typed`), with a service key. `call` stays for requests the typed client will not build on purpose
 * (hostile input, deprecated or untyped paths).
 */
export class ApiClient {
  readonly typed: TerraConnectionsClient;

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.typed = createTerraConnectionsClient({ baseUrl, apiKey });
  }

  call<T>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    return requestJson<T>(`${this.baseUrl}${path}`, { method, body, headers: { authorization: `Bearer ${this.apiKey}` } });
  }

  /** 201 expected; anything else fails with the API's answer in the message. */
  async startConnection<T extends WidgetStarted | DirectStarted>(body: Schemas['CreateConnectionDto']): Promise<T> {
    return expectOk(await this.typed.POST('/v1/connections', { body }), 201, 'POST /v1/connections') as T;
  }

  async connectionsOf(referenceId: string): Promise<ConnectionView[]> {
    const answer = await this.typed.GET('/v1/connections', { params: { query: { reference_id: referenceId, limit: 200 } } });
    return expectOk(answer, 200, 'GET /v1/connections').data;
  }

  async connection(terraUserId: string): Promise<ConnectionView | undefined> {
    const answer = await this.typed.GET('/v1/connections/{id}', { params: { path: { id: terraUserId } } });
    return answer.response.status === 404 ? undefined : expectOk(answer, 200, 'GET /v1/connections/:id');
  }

  async healthData(terraUserId: string, type: Schemas['HealthDataType']): Promise<HealthDataItem[]> {
    const answer = await this.typed.GET('/v1/connections/{id}/data', { params: { path: { id: terraUserId }, query: { type, limit: 200 } } });
    return expectOk(answer, 200, 'GET /v1/connections/:id/data').data;
  }
}

export function expectStatus<T>(res: JsonResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what} answered ${res.status} (expected ${status}): ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The typed body of an openapi-fetch answer with the expected status; anything else fails with the API's answer. */
export function expectOk<T>(answer: { data?: T; error?: unknown; response: Response }, status: number, what: string): T {
  if (answer.response.status !== status || answer.data === undefined) {
    throw new Error(`${what} answered ${answer.response.status} (expected ${status}): ${JSON.stringify(answer.error ?? answer.data)}`);
  }
  return answer.data;
}
