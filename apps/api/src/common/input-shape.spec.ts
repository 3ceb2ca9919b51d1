import fc from 'fast-check';
import { boundedMessage, INPUT_LIMITS, inputShapeProblem } from './input-shape';

function entries(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce<number>((sum, child) => sum + 1 + entries(child), 0);
}

/** JSON within the limits whose strings Postgres can store: no NUL, no unpaired surrogate. */
const storable = fc
  .jsonValue({ maxDepth: 4 })
  .filter((value) => entries(value) <= INPUT_LIMITS.maxEntries && !/\\u0000|\\ud[89ab]|\\ud[c-f]/i.test(JSON.stringify(value)));

describe('inputShapeProblem', () => {
  it('passes any small JSON Postgres can store', () => {
    fc.assert(
      fc.property(storable, (value) => {
        expect(inputShapeProblem(value)).toBeUndefined();
      }),
    );
  });

  it('names the field of a NUL or an unpaired surrogate wherever it sits', () => {
    const bad = fc.constantFrom('\u0000', 'a\u0000', '\ud800', 'x\udfffy');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b_c', 'list'), { minLength: 1, maxLength: 4 }), fc.nat(3), bad, (path, index, text) => {
        let value: unknown = [...Array(index).fill('ok'), text];
        const expected = `${path.join('.')}[${index}]`;
        for (const key of [...path].reverse()) value = { [key]: value };
        expect(inputShapeProblem(value)).toMatch(new RegExp(`^${expected.replace(/[[\].]/g, '\\$&')} must`));
      }),
    );
    expect(inputShapeProblem('abc\u0000', 'terra_user_id')).toBe('terra_user_id must not contain NUL (\\u0000) characters');
    expect(inputShapeProblem({ ['k\u0000']: 1 })).toBe('a property name must not contain NUL (\\u0000) characters');
    // A well-formed pair is one character, not a problem.
    expect(inputShapeProblem({ name: '😀' })).toBeUndefined();
  });

  it('refuses depth and breadth beyond the limits, without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(inputShapeProblem({ a: deep })).toMatch(/nested more than 8 levels/);
    const wide = Object.fromEntries(Array.from({ length: INPUT_LIMITS.maxEntries + 1 }, (_, i) => [`k${i}`, i]));
    expect(inputShapeProblem(wide)).toMatch(/more than 1000 fields/);
    expect(inputShapeProblem({ ['k'.repeat(300)]: 1 })).toMatch(/property name is longer than 256/);
  });
});

describe('boundedMessage', () => {
  it('keeps ten messages of at most 300 characters, and counts the rest', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 2_000 }), { maxLength: 5_000 }), (messages) => {
        expect(boundedMessage(messages).length).toBeLessThan(10 * 302 + 20 * 2 + 40);
      }),
      { numRuns: 30 },
    );
    expect(boundedMessage(Array.from({ length: 12 }, (_, i) => `m${i}`))).toBe('m0; m1; m2; m3; m4; m5; m6; m7; m8; m9; and 2 more problem(s)');
  });
});
