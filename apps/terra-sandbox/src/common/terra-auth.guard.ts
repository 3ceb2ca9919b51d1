import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';
import { terraError } from './terra-error';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * `dev-id` + `x-api-key` as terra-contract.md §1 fixes for the sandbox: either header missing -> 401
 * `unauthorized`; unknown dev-id or a key that does not match it -> 403. The catalogue controller
 * (/v2/integrations) does not use it: Terra answers those without credentials (terra-contract.md §2.9).
 */
@Injectable()
export class TerraAuthGuard implements CanActivate {
  private readonly devId: Buffer;
  private readonly apiKey: Buffer;

  constructor(@Inject(SANDBOX_CONFIG) config: SandboxConfig) {
    this.devId = digest(config.SANDBOX_DEV_ID);
    this.apiKey = digest(config.SANDBOX_API_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const headers = context.switchToHttp().getRequest<Request>().headers;
    const devId = headerValue(headers['dev-id']);
    const apiKey = headerValue(headers['x-api-key']);
    if (!devId || !apiKey) throw terraError(401, 'unauthorized');
    if (!timingSafeEqual(digest(devId), this.devId)) throw terraError(403, 'Invalid dev-id was provided');
    if (!timingSafeEqual(digest(apiKey), this.apiKey)) throw terraError(403, 'API key does not match the dev-id');
    return true;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.trim() !== '' ? first.trim() : undefined;
}
