import { decodeCursor, encodeCursor } from './connection-cursor';
import { InvalidCursorError } from './connections.errors';

describe('connection cursor', () => {
  it('round-trips an id', () => {
    expect(decodeCursor(encodeCursor('9223372036854775807'))).toBe('9223372036854775807');
    expect(encodeCursor('42')).not.toContain('42');
  });

  it.each(['', 'not base64!', encodeCursor('abc'), encodeCursor('-1'), encodeCursor('9223372036854775808'), `${encodeCursor('12')}=`])(
    'rejects %p',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
    },
  );
});
