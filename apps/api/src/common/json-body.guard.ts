import { BadRequestException, CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';

/**
 * For routes that take a JSON object: without it a form or text body would reach validation as "no
 * fields" and produce a misleading message. Runs after the API key guard, so a bad key is still a 401.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.is(['application/json', '+json'])) {
      throw new BadRequestException('Request body must be JSON: send Content-Type: application/json');
    }
    const body: unknown = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException('Request body must be a JSON object');
    }
    return true;
  }
}
