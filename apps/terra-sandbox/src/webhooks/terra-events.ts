import { toTerraUser, terraTimestamp, type SandboxUser, type TerraUserPayload } from '../users/sandbox-user';

/**
 * Builders for every connection event of terra-contract.md §5, modelled on the fixtures. The SDK types say
 * `reference_id: string` / `widget_session_id: string`, but Terra sends `null` when there is none, so the
 * payloads here allow null.
 */
export const API_VERSION = '2022-03-16';

type Event = { type: string } & Record<string, unknown>;

export function authSuccessEvent(user: SandboxUser, widgetSessionId: string | null): Event {
  return {
    type: 'auth',
    status: 'success',
    widget_session_id: widgetSessionId,
    user: toTerraUser(user, { withCreatedAt: true }),
    reference_id: user.reference_id,
    message: 'User has successfully authenticated',
    version: API_VERSION,
  };
}

export function authErrorEvent(
  user: SandboxUser,
  reason: string,
  widgetSessionId: string | null,
): Event {
  return {
    type: 'auth',
    status: 'error',
    user: { ...toTerraUser(user), active: false },
    provider: user.provider,
    message: 'User failed to authenticate and has been deleted',
    reason,
    reference_id: user.reference_id,
    widget_session_id: widgetSessionId,
  };
}

export function deauthEvent(user: SandboxUser): Event {
  return { type: 'deauth', status: 'success', message: 'User has deauthenticated', user: { ...toTerraUser(user), active: false } };
}

export function userReauthEvent(oldUser: SandboxUser, newUser: SandboxUser): Event {
  return {
    type: 'user_reauth',
    status: 'warning',
    message: 'User has reauthenticated and old ID has been deleted',
    new_user: toTerraUser(newUser),
    old_user: toTerraUser(oldUser),
    version: API_VERSION,
  };
}

export function accessRevokedEvent(user: SandboxUser): Event {
  return { type: 'access_revoked', status: 'warning', message: 'User revoked access', user: toTerraUser(user) };
}

export function connectionErrorEvent(user: SandboxUser): Event {
  return { type: 'connection_error', status: 'warning', message: 'User connection degraded', user: toTerraUser(user) };
}

export function permissionChangeEvent(user: SandboxUser, added: string[], removed: string[]): Event {
  return {
    type: 'permission_change',
    status: 'warning',
    message: 'User permissions have been modified',
    version: API_VERSION,
    scopes_added: added.join(','),
    scopes_removed: removed.join(','),
    user: toTerraUser(user),
  };
}

export function googleNoDatasourceEvent(user: SandboxUser): Event {
  return {
    type: 'google_no_datasource',
    status: 'warning',
    message: 'User does not have any data sources linked to their Google account',
    user: toTerraUser(user),
  };
}

export function largeRequestProcessingEvent(user: TerraUserPayload, reference: string): Event {
  return { type: 'large_request_processing', status: 'processing', message: 'Large request is processing', user, reference };
}

export function largeRequestSendingEvent(user: TerraUserPayload, reference: string, expectedPayloads: number): Event {
  return { type: 'large_request_sending', message: 'Large request is being sent', expected_payloads: expectedPayloads, user, reference };
}

export function healthcheckEvent(sentLastHour: number): Event {
  return {
    type: 'healthcheck',
    status: 'success',
    creation_timestamp: terraTimestamp(),
    trend_percentage: 0,
    sent_webhooks_last_hour: sentLastHour,
  };
}
