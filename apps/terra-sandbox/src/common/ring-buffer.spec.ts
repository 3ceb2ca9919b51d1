import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i += 1) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.newest(10)).toEqual([5, 4, 3]);
    expect(ring.newest(10, (n) => n % 2 === 1)).toEqual([5, 3]);
    expect(ring.newest(1)).toEqual([5]);
  });

  it('starts empty again after clear', () => {
    const ring = new RingBuffer<string>(2);
    ring.push('a');
    ring.clear();
    expect(ring.newest(5)).toEqual([]);
    ring.push('b');
    expect(ring.newest(5)).toEqual(['b']);
  });
});
