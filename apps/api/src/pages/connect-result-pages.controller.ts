import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { renderResultPage } from './result-page.html';
import { FAILURE_PAGE_PATH, SUCCESS_PAGE_PATH } from './result-page-urls';

type RedirectQuery = Record<string, string | string[] | undefined>;

/** Terra appends user_id, resource and reference_id; an absent value arrives as the literal "null" (terra-contract.md §3). */
function param(query: RedirectQuery, name: string): string | undefined {
  const raw = query[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value && value !== 'null' && value !== 'undefined' ? value.slice(0, 200) : undefined;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

/**
 * Where the end user's browser lands after Terra's widget or the provider's login when the caller gave no
 * redirect URLs. Unauthenticated on purpose (it is a browser). The `auth` webhook, not this page, is the
 * source of truth for the connection.
 */
// Browser pages, not part of the API contract: left out of the OpenAPI document.
@ApiExcludeController()
@Controller()
export class ConnectResultPagesController {
  @Get(SUCCESS_PAGE_PATH)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-store')
  success(@Query() query: RedirectQuery): string {
    const resource = param(query, 'resource');
    const referenceId = param(query, 'reference_id');
    const provider = resource ?? 'Your account';
    if (query.user_id === 'null' && resource) {
      // Terra sends user_id=null for sources that only the mobile SDK can connect (terra-contract.md §3.5).
      return renderResultPage('Continue in the app', `${resource} connects through the mobile app: continue there to finish.`);
    }
    const who = referenceId ? ` for ${referenceId}` : '';
    return renderResultPage('Connected', `${provider} connected${who}. You can close this tab.`);
  }

  @Get(FAILURE_PAGE_PATH)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-store')
  failure(@Query() query: RedirectQuery): string {
    const resource = param(query, 'resource');
    const reason = param(query, 'reason') ?? 'the connection was not completed';
    const what = resource ? `Connecting ${resource} failed` : 'The connection failed';
    return renderResultPage('Not connected', `${what}: ${reason}. You can close this tab and try again.`);
  }
}
