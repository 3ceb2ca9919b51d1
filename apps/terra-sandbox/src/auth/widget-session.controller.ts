import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { parseTerraInput } from '../common/parse-input';
import { TerraAuthGuard } from '../common/terra-auth.guard';
import { widgetSessionBody } from './auth-request.schemas';
import { WidgetSessionService } from './widget-session.service';

/**
 * The widget session endpoint that replaces generateWidgetSession (terra-contract.md §2.1b), served at the docs'
 * path. Not part of SDK 2.1.0: callers use plain HTTP with the same headers.
 */
@Controller('api/widget')
@UseGuards(TerraAuthGuard)
export class WidgetSessionController {
  constructor(private readonly widgetSessions: WidgetSessionService) {}

  @Post('session')
  @HttpCode(201)
  create(@Body() body: unknown): Record<string, unknown> {
    const { session, url, warnings } = this.widgetSessions.create('session', parseTerraInput(widgetSessionBody, body));
    return {
      status: 'success',
      session_id: session.session_id,
      url,
      expires_in: this.widgetSessions.expiresIn('session'),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }
}
