import { z } from 'zod';

/** A redirect target: any absolute URL, deep links such as `myapp://done` included (terra-contract.md §3.3). */
const redirectUrl = z
  .string()
  .refine((value) => value.trim() === '' || URL.canParse(value), { message: 'must be an absolute URL' })
  .nullish();

/** Unknown fields are dropped (zod strips them), as Terra ignores them. */
export const legacyWidgetSessionBody = z.object({
  providers: z.string().nullish(),
  language: z.string().nullish(),
  reference_id: z.string().nullish(),
  auth_success_redirect_url: redirectUrl,
  auth_failure_redirect_url: redirectUrl,
});

export const widgetSessionBody = legacyWidgetSessionBody.extend({
  connected_uids: z.array(z.string()).nullish(),
  show_disconnect: z.boolean().nullish(),
  use_terra_avengers_app: z.boolean().nullish(),
  multi_auth: z.boolean().nullish(),
  bypass_feedback: z.boolean().nullish(),
  apple_app_url: z.string().nullish(),
  samsung_app_url: z.string().nullish(),
});

export const authenticateUserBody = z.object({
  language: z.string().nullish(),
  reference_id: z.string().nullish(),
  auth_success_redirect_url: redirectUrl,
  auth_failure_redirect_url: redirectUrl,
});

export const resourceQuery = z.object({ resource: z.string({ required_error: 'is required' }).min(1, 'is required') });
export const userIdQuery = z.object({ user_id: z.string({ required_error: 'is required' }).min(1, 'is required') });
