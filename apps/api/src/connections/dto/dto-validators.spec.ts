import type { TransformFnParams } from 'class-transformer';
import { PROVIDER_PATTERN, toUpperCase, toUpperCaseList } from './dto-validators';

const upper = (value: unknown) => toUpperCase({ value } as TransformFnParams);

describe('provider name transforms', () => {
  it('upper-cases ASCII names, trimmed, for the pattern to accept', () => {
    expect(upper(' google_fit ')).toBe('GOOGLE_FIT');
    expect(toUpperCaseList({ value: 'fitbit, oura' } as TransformFnParams)).toEqual(['FITBIT', 'OURA']);
  });

  it('leaves letters that only Unicode case mapping turns into a provider name for the pattern to refuse', () => {
    for (const spoof of ['fıtbıt', 'ﬁtbit', 'straße', 'oura\u0307']) {
      expect({ spoof, ok: PROVIDER_PATTERN.test(String(upper(spoof))) }).toEqual({ spoof, ok: false });
    }
  });
});
