import type { Terra } from 'terra-api';
import type { ProviderInfo } from '../../catalogue/provider-catalogue';
import type { SandboxUser } from '../../users/sandbox-user';
import { deviceData, personRandom } from './generator-context';

const FIRST = ['Jordan', 'Alex', 'Sam', 'Taylor', 'Morgan', 'Robin', 'Casey', 'Jamie'] as const;
const LAST = ['Example', 'Sample', 'Tester', 'Demo', 'Placeholder'] as const;
const PLACES = [
  ['London', 'United Kingdom'],
  ['Munich', 'Germany'],
  ['Denver', 'United States'],
  ['Lisbon', 'Portugal'],
] as const;

/** A made-up profile, stable per user. */
export function generateAthlete(user: SandboxUser, provider: ProviderInfo): Terra.Athlete {
  const rng = personRandom(user, 'athlete');
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const sex = rng.pick(['male', 'female'] as const);
  const year = rng.int(1965, 2003);
  const [city, country] = rng.pick(PLACES);
  return {
    first_name: first,
    last_name: last,
    sex,
    gender: sex,
    date_of_birth: `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
    age: new Date().getUTCFullYear() - year,
    email: `${first}.${last}.${user.user_id.slice(0, 8)}@example.com`.toLowerCase(),
    city,
    country,
    joined_provider: `${rng.int(2015, 2024)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
    devices: [deviceData(provider)],
  };
}
