import { PROVIDER_TABLE } from './provider-table';

export const DATA_TYPES = ['activity', 'body', 'daily', 'sleep', 'nutrition', 'menstruation'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export type DataTypeFlags = Record<DataType, boolean>;

export interface ProviderInfo {
  provider: string;
  name: string;
  category: string;
  device: string;
  /** SDK-only sources (Apple Health, Samsung Health, Health Connect): connected by the mobile SDK, not OAuth. */
  sdk: boolean;
  enabled: boolean;
  types: DataTypeFlags;
  /** What a fresh connection's `user.scopes` says (provider-specific format, terra-contract.md §2). */
  scopes: string;
}

const TYPES_BY_CATEGORY: Record<string, DataType[]> = {
  watch: ['activity', 'body', 'daily', 'sleep', 'menstruation'],
  wearable: ['activity', 'body', 'daily', 'sleep'],
  ring: ['activity', 'body', 'daily', 'sleep', 'menstruation'],
  strap: ['activity', 'body', 'daily', 'sleep'],
  platform: ['activity', 'body', 'daily', 'sleep', 'nutrition', 'menstruation'],
  training: ['activity'],
  gym: ['activity'],
  sleep: ['sleep', 'body'],
  scale: ['body'],
  bp: ['body'],
  cgm: ['body'],
  glucose: ['body'],
  nutrition: ['nutrition'],
  cycle: ['menstruation', 'body'],
};

/** Real scope strings from Terra's examples for the providers the fixtures show; the rest derive from types. */
const KNOWN_SCOPES: Record<string, string> = {
  GARMIN: 'COURSE_IMPORT,WORKOUT_IMPORT,ACTIVITY_EXPORT,HEALTH_EXPORT',
  FITBIT: 'activity,heartrate,location,nutrition,profile,settings,sleep,social,weight',
  OURA: 'daily,heartrate,personal,session,spo2,tag,workout',
  GOOGLE: 'fitness.activity.read,fitness.body.read,fitness.heart_rate.read,fitness.sleep.read',
  WHOOP: 'read:recovery,read:cycles,read:workout,read:sleep,read:profile,read:body_measurement',
  STRAVA: 'read,activity:read_all,profile:read_all',
  WITHINGS: 'user.info,user.metrics,user.activity',
};

function parseTable(): ProviderInfo[] {
  return PROVIDER_TABLE.trim()
    .split('\n')
    .map((line) => {
      const [provider, name, category, device, flags = ''] = line.split('|');
      const typeList = TYPES_BY_CATEGORY[category];
      if (!typeList) throw new Error(`provider-table: unknown category "${category}" for ${provider}`);
      const types = Object.fromEntries(DATA_TYPES.map((type) => [type, typeList.includes(type)])) as DataTypeFlags;
      return {
        provider,
        name,
        category,
        device,
        sdk: flags.includes('sdk'),
        enabled: !flags.includes('off'),
        types,
        scopes: KNOWN_SCOPES[provider] ?? typeList.join(','),
      };
    });
}

/** The catalogue, parsed once; lookups by resource name are O(1). */
export class ProviderCatalogue {
  readonly all: readonly ProviderInfo[] = parseTable();
  private readonly byName = new Map(this.all.map((info) => [info.provider, info]));

  get(provider: string): ProviderInfo | undefined {
    return this.byName.get(provider.trim().toUpperCase());
  }

  enabled(): ProviderInfo[] {
    return this.all.filter((info) => info.enabled);
  }
}

/** One shared instance: the table is static. */
export const PROVIDERS = new ProviderCatalogue();
