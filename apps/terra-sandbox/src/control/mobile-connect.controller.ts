import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { AuthTokenStore } from '../auth/auth-token.store';
import { ConnectionService } from '../auth/connection.service';
import { controlError } from '../common/control-error';
import { parseControlInput } from '../common/parse-input';

const connectBody = z.object({
  token: z.string().min(1),
  provider: z.enum(['APPLE', 'SAMSUNG', 'HEALTH_CONNECT']),
  reference_id: z.string().min(1).nullish(),
});

/**
 * Plays the mobile app's part (Terra's `initConnection`): redeems a generateAuthToken token and connects an
 * SDK source. Same (reference_id, provider) again = reinstall/second device -> new id + user_reauth (terra-contract.md §2.4).
 */
@Controller('sandbox/mobile')
export class MobileConnectController {
  constructor(
    private readonly tokens: AuthTokenStore,
    private readonly connections: ConnectionService,
  ) {}

  @Post('connect')
  @HttpCode(201)
  connect(@Body() body: unknown): Record<string, unknown> {
    const input = parseControlInput(connectBody, body);
    const outcome = this.tokens.redeem(input.token);
    if (outcome === 'unknown') throw controlError(404, 'token: unknown token');
    if (outcome === 'used') throw controlError(409, 'token: already used (tokens are single use)');
    if (outcome === 'expired') throw controlError(410, 'token: expired (tokens are valid for 180 s)');
    const referenceId = input.reference_id ?? null;
    const { user, replaced } = this.connections.connect({
      provider: input.provider,
      referenceId,
      // Only a reference_id ties a new install to the old one; without it every connect is a new user.
      account: referenceId === null ? undefined : `sdk:${referenceId}`,
      widgetSessionId: null,
    });
    return { user, replaced_user_id: replaced?.user_id ?? null };
  }
}
