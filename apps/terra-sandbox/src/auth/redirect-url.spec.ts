import { appendQuery, redirectParams } from './redirect-url';

describe('appendQuery', () => {
  const params = redirectParams('u1', 'GARMIN', null);

  it('appends with ? or & and keeps the existing query and fragment untouched', () => {
    expect(appendQuery('https://app.test/done', params)).toBe('https://app.test/done?user_id=u1&resource=GARMIN&reference_id=null');
    expect(appendQuery('https://app.test/x?terra_auth_success=true&a=%20b', params)).toBe(
      'https://app.test/x?terra_auth_success=true&a=%20b&user_id=u1&resource=GARMIN&reference_id=null',
    );
    expect(appendQuery('https://app.test/x?#top', params)).toBe('https://app.test/x?user_id=u1&resource=GARMIN&reference_id=null#top');
    expect(appendQuery('myapp://done', params)).toBe('myapp://done?user_id=u1&resource=GARMIN&reference_id=null');
  });

  it('encodes reference ids that need it', () => {
    expect(appendQuery('https://a.test/', redirectParams(null, 'OURA', 'a/b&c #1'))).toBe(
      'https://a.test/?user_id=null&resource=OURA&reference_id=a%2Fb%26c+%231',
    );
  });
});
