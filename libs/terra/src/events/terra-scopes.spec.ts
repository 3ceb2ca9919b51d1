import { parseTerraScopes } from './terra-scopes';

describe('parseTerraScopes', () => {
  it('splits comma- and space-separated scopes, dropping blanks and duplicates', () => {
    expect(parseTerraScopes('activity,heartrate, sleep  weight,activity')).toEqual(['activity', 'heartrate', 'sleep', 'weight']);
  });

  it('reads an empty string as no scopes, and no string at all as "nothing said" (null: keep what is stored)', () => {
    expect(parseTerraScopes('')).toEqual([]);
    expect(parseTerraScopes(' , ,')).toEqual([]);
    expect(parseTerraScopes(null)).toBeNull();
    expect(parseTerraScopes(undefined)).toBeNull();
    expect(parseTerraScopes(['a'])).toBeNull();
  });

  it('splits on tabs and newlines too, keeping the first occurrence order', () => {
    expect(parseTerraScopes('b\ta\nb,c')).toEqual(['b', 'a', 'c']);
  });
});
