import { LOGGED_PARAM_MAX, LOGGED_PATH_MAX, loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('keeps the path and our own query parameters, and redacts every other one, name and value', () => {
    expect(loggableUrl('/v1/connections?reference_id=user_123&limit=5&status=active')).toBe('/v1/connections?[Redacted]&limit=5&status=active');
    expect(loggableUrl('/connect/success?user_id=u1&resource=FITBIT&reference_id=p')).toBe('/connect/success?[Redacted]&[Redacted]&[Redacted]');
    expect(loggableUrl('/x?jane.doe%40mail.example=1&token=t')).toBe('/x?[Redacted]&[Redacted]');
    expect(loggableUrl('/v1/connections/abc/data?from=2026-01-01&to=2026-02-01&type=daily&cursor=MTAw')).toBe(
      '/v1/connections/abc/data?from=2026-01-01&to=2026-02-01&type=daily&cursor=MTAw',
    );
    expect(loggableUrl('/health/live')).toBe('/health/live');
    expect(loggableUrl(undefined)).toBeUndefined();
  });
  it('cuts an allowlisted parameter past LOGGED_PARAM_MAX characters', () => {
    const logged = loggableUrl(`/v1/connections?limit=${'9'.repeat(8_000)}&status=active`) ?? '';
    expect(logged).toBe(`/v1/connections?limit=${'9'.repeat(LOGGED_PARAM_MAX - 6)}...[cut]&status=active`);
  });
  it('cuts a path past LOGGED_PATH_MAX characters, with or without a query', () => {
    const junk = `/v1/connections/${'a'.repeat(8_000)}`;
    expect(loggableUrl(junk)).toBe(`${junk.slice(0, LOGGED_PATH_MAX)}...[cut]`);
    expect(loggableUrl(`${junk}?limit=5`)).toBe(`${junk.slice(0, LOGGED_PATH_MAX)}...[cut]?limit=5`);
  });
});
