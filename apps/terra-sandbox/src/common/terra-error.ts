import { HttpException } from '@nestjs/common';

/** Terra's v2 error body: `{"status":"error","message":...}` plus optional extra fields (terra-contract.md §1). */
export function terraError(status: number, message: string, extra: Record<string, unknown> = {}): HttpException {
  return new HttpException({ status: 'error', message, ...extra }, status);
}
