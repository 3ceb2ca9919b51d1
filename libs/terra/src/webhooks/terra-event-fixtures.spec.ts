import { readdirSync } from 'node:fs';
import path from 'node:path';
import { EXTRA_TERRA_FIXTURES_DIR, listAllTerraFixtures, listTerraFixtures, loadTerraFixture, TERRA_FIXTURES_DIR } from '@terra-connections/testing';
import { describeTerraEvent } from './terra-event-envelope';
import { TERRA_DATA_EVENT_TYPES, TerraEventType } from './terra-event-type';

const EVENT_TYPES: string[] = Object.values(TerraEventType);
const DATA_TYPES: readonly string[] = TERRA_DATA_EVENT_TYPES;
/** Events that carry no Terra user: the liveness probe, the ping-mode wrapper and the 2026 failed-auth event. */
const WITHOUT_USER = new Set<string>([TerraEventType.Healthcheck, TerraEventType.S3Payload, TerraEventType.AuthCancelled]);

/** `auth_success` -> `auth`, `user_reauth_without_old_user` -> `user_reauth`: the name itself, else its longest type prefix. */
function typeNamedBy(name: string): string | undefined {
  if (EVENT_TYPES.includes(name)) return name;
  return EVENT_TYPES.filter((type) => name.startsWith(`${type}_`)).sort((a, b) => b.length - a.length)[0];
}

/** The fixtures every suite signs and sends are Terra events of the types this lib knows, all of them covered. */
describe('Terra fixtures in libs/testing/fixtures', () => {
  const all = listAllTerraFixtures();

  it('live inside the repository, with unique names across the story and the extras', () => {
    expect(path.relative(path.resolve(__dirname, '../../../..'), TERRA_FIXTURES_DIR)).toBe(path.join('libs', 'testing', 'fixtures'));
    expect(listTerraFixtures().length).toBeGreaterThan(0);
    expect(readdirSync(EXTRA_TERRA_FIXTURES_DIR).length).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(all)('%s parses, and its type is the one its name says', (name) => {
    const fixture = loadTerraFixture(name);
    expect(fixture.json).toEqual(JSON.parse(fixture.raw));
    const envelope = describeTerraEvent(fixture.json);
    expect({ name, type: envelope?.type }).toEqual({ name, type: typeNamedBy(name) });
    if (!WITHOUT_USER.has(envelope!.type)) expect({ name, terraUserId: envelope!.terraUserId }).toEqual({ name, terraUserId: expect.any(String) });
    if (DATA_TYPES.includes(envelope!.type)) {
      expect(fixture.json.version).toBe('2022-03-16');
      const items = envelope!.type === TerraEventType.Athlete ? [fixture.json.athlete] : (fixture.json.data as unknown[]);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => typeof item === 'object' && item !== null)).toBe(true);
    }
  });

  it('cover every event type the worker knows', () => {
    const covered = new Set(all.map(typeNamedBy));
    expect(EVENT_TYPES.filter((type) => !covered.has(type))).toEqual([]);
  });

  it('cover both auth outcomes and a reauth whose old user is gone', () => {
    expect(loadTerraFixture('auth_success').json.status).toBe('success');
    expect(loadTerraFixture('auth_error').json.status).toBe('error');
    expect(loadTerraFixture('user_reauth').json.old_user).toEqual(expect.objectContaining({ user_id: expect.any(String) }));
    expect(loadTerraFixture('user_reauth_without_old_user').json.old_user).toBeNull();
  });

  it('fail loudly for a name that is not there', () => {
    expect(() => loadTerraFixture('no_such_event')).toThrow(/no_such_event\.json/);
  });
});
