import type { ConnectStarted, MobileTokenIssued } from '@terra-connections/connections';
import type { DirectConnectResponse, MobileTokenResponse, WidgetConnectResponse } from './connection.response';

/** `POST /v1/connections`: `warnings` is left out, not sent empty, when Terra had nothing to say. */
export function toConnectStartedResponse(started: ConnectStarted): DirectConnectResponse | WidgetConnectResponse {
  if (started.type === 'direct') {
    return {
      type: 'direct',
      url: started.url,
      terra_user_id: started.terraUserId,
      reference_id: started.referenceId,
      provider: started.provider,
    };
  }
  return {
    type: 'widget',
    url: started.url,
    session_id: started.sessionId,
    expires_at: started.expiresAt.toISOString(),
    reference_id: started.referenceId,
    ...(started.warnings.length > 0 ? { warnings: started.warnings } : {}),
  };
}

export function toMobileTokenResponse(issued: MobileTokenIssued): MobileTokenResponse {
  return { token: issued.token, expires_in: issued.expiresIn };
}
