/** The endpoint id names no endpoint: a 404. */
export class WebhookEndpointNotFoundError extends Error {
  constructor(readonly endpointId: string) {
    super(`No webhook endpoint ${endpointId}`);
    this.name = 'WebhookEndpointNotFoundError';
  }
}

/** An endpoint the caller described cannot be used (its URL): a 400 naming the field. */
export class WebhookEndpointInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookEndpointInputError';
  }
}
