import { parseTerraScopes } from './connection.view';

describe('parseTerraScopes', () => {
  it('splits comma- and space-separated scopes, dropping blanks and duplicates', () => {
    expect(parseTerraScopes('activity,heartrate, sleep  weight,activity')).toEqual(['activity', 'heartrate', 'sleep', 'weight']);
  });

  it('reads null, undefined and empty as no scopes', () => {
    expect(parseTerraScopes(null)).toEqual([]);
    expect(parseTerraScopes(undefined)).toEqual([]);
    expect(parseTerraScopes('')).toEqual([]);
  });
});
