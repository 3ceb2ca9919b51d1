import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';

const ADMIN_ONLY = 'terra-connections:admin-only';
/** Marks a route (or controller) as needing a key from ADMIN_API_KEYS instead of API_KEYS. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** Hashing first makes every comparison the same length, so timingSafeEqual leaks neither value nor length. */
export function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function matchesAny(candidate: string, keys: readonly Buffer[]): boolean {
  const presented = digest(candidate);
  let match = false;
  for (const key of keys) match = timingSafeEqual(presented, key) || match; // no early exit
  return match;
}

/** `Authorization: Bearer <key>` against API_KEYS (or ADMIN_API_KEYS on @AdminOnly routes), in constant time. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly serviceKeys: Buffer[];
  private readonly adminKeys: Buffer[];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.serviceKeys = config.API_KEYS.map(digest);
    this.adminKeys = config.ADMIN_API_KEYS.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedException('Missing or malformed Authorization header: expected "Bearer <key>"');
    if (!matchesAny(match[1], adminOnly ? this.adminKeys : this.serviceKeys)) {
      throw new UnauthorizedException(adminOnly ? 'This route needs an admin API key' : 'Invalid API key');
    }
    return true;
  }
}
