import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { parseTerraInput } from '../common/parse-input';
import { TerraAuthGuard } from '../common/terra-auth.guard';
import { terraError } from '../common/terra-error';
import { WidgetSessionStore } from '../auth/widget-session.store';
import { toTerraUser, type TerraUserPayload } from './sandbox-user';
import { UserStore } from './user-store.service';

const userInfoQuery = z.object({ user_id: z.string().min(1).optional(), reference_id: z.string().optional() });
const bulkBody = z.array(z.string().min(1), { invalid_type_error: 'body must be a JSON array of user ids' });
const intParam = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .refine((value) => value >= min, `${name} must be at least ${min}`)
    .optional();
const subscriptionsQuery = z.object({ page: intParam('page', 0), per_page: intParam('per_page', 1) });
const modifyBody = z.object({ reference_id: z.string().nullish(), active: z.boolean().nullish() });

/** Default page size of /subscriptions (terra-contract.md §2.6). */
const DEFAULT_PER_PAGE = 500;

/** Terra v2 user endpoints (terra-contract.md §2.5-2.8). */
@Controller('v2')
@UseGuards(TerraAuthGuard)
export class TerraUsersController {
  constructor(
    private readonly users: UserStore,
    private readonly pending: WidgetSessionStore,
  ) {}

  @Get('userInfo')
  userInfo(@Query() query: unknown): Record<string, unknown> {
    const { user_id: userId, reference_id: referenceId } = parseTerraInput(userInfoQuery, query);
    if ((userId === undefined) === (referenceId === undefined)) {
      throw terraError(400, 'exactly one of user_id or reference_id is required');
    }
    if (referenceId !== undefined) {
      // SDK 2.1.0 types this as a bare array, but Terra answers an object with `users` (terra-contract.md §2.5).
      return { status: 'success', users: this.users.withReference(referenceId).map((user) => toTerraUser(user, { withCreatedAt: true })) };
    }
    const user = this.users.get(userId as string);
    if (user) return { status: 'success', user: toTerraUser(user, { withCreatedAt: true }), is_authenticated: true };
    const pending = this.pending.pendingAuth(userId as string);
    if (pending.state === 'ok') {
      const { user_id, provider, reference_id } = pending.value;
      return {
        status: 'success',
        user: { user_id, provider, reference_id, scopes: null, last_webhook_update: null, active: false },
        is_authenticated: false,
      };
    }
    throw terraError(404, 'User not found');
  }

  @Post('bulkUserInfo')
  @HttpCode(200)
  bulkUserInfo(@Body() body: unknown): TerraUserPayload[] {
    const ids = parseTerraInput(bulkBody, body);
    const found = ids.flatMap((id) => {
      const user = this.users.get(id);
      return user ? [toTerraUser(user, { withCreatedAt: true })] : [];
    });
    // Unknown ids in a mixed list are left out; a list of only unknown ids is a 404 (terra-contract.md §2.7).
    if (ids.length > 0 && found.length === 0) throw terraError(404, 'None of the user ids were found');
    return found;
  }

  @Get('subscriptions')
  subscriptions(@Query() query: unknown): Record<string, unknown> {
    const { page, per_page: perPage = DEFAULT_PER_PAGE } = parseTerraInput(subscriptionsQuery, query);
    if (page === undefined) return { users: this.users.list().map((user) => toTerraUser(user, { withCreatedAt: true })) };
    const maxPage = Math.max(0, Math.ceil(this.users.size / perPage) - 1);
    const results = this.users.list(page * perPage, perPage).map((user) => toTerraUser(user, { withCreatedAt: true }));
    return { data: { results, next: page < maxPage ? page + 1 : null, max_page: maxPage } };
  }

  @Patch('users/:userId')
  modifyUser(@Param('userId') userId: string, @Body() body: unknown): Record<string, unknown> {
    const input = parseTerraInput(modifyBody, body);
    const patch: { reference_id?: string | null; active?: boolean } = {};
    if (input.reference_id !== undefined) patch.reference_id = input.reference_id === '' ? null : input.reference_id;
    if (input.active !== undefined && input.active !== null) patch.active = input.active;
    const user = this.users.update(userId, patch);
    // Terra answers 400, not 404, for an unknown user here (terra-contract.md §2.8).
    if (!user) throw terraError(400, 'No user found with this user_id');
    return { status: 'success', user: toTerraUser(user, { withCreatedAt: true }) };
  }
}
