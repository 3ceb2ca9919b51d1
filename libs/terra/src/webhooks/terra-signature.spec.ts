import { createHmac } from 'node:crypto';
import { verifyTerraWebhookSignature } from 'terra-api';
import { signTerraBody } from '@terra-connections/testing';
import { signatureTimestamp, TerraSignatureError, terraSignatureHeader, verifyTerraSignature } from './terra-signature';

const SECRET = 'current-secret';
const PREVIOUS = 'previous-secret';
const body = Buffer.from('{\n  "type": "healthcheck",\n  "status": "success"\n}');
const now = () => Math.floor(Date.now() / 1000);

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TerraSignatureError) return error.failure;
    throw error;
  }
  return 'accepted';
}

describe('verifyTerraSignature', () => {
  it('accepts Terra\'s signature over the exact bytes and returns t', async () => {
    const t = now();
    await expect(verifyTerraSignature(body, signTerraBody(body, SECRET, t), [SECRET], 300)).resolves.toEqual({ timestampSeconds: t });
  });

  it('rejects a missing header or an empty body', async () => {
    expect(await failure(verifyTerraSignature(body, undefined, [SECRET], 300))).toBe('missing');
    expect(await failure(verifyTerraSignature(Buffer.alloc(0), signTerraBody('', SECRET), [SECRET], 300))).toBe('missing');
  });

  it('rejects a tampered body, a re-serialised body and the wrong secret', async () => {
    const header = signTerraBody(body, SECRET);
    expect(await failure(verifyTerraSignature(Buffer.from(body.toString().replace('success', 'succesS')), header, [SECRET], 300))).toBe('mismatch');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(await failure(verifyTerraSignature(reserialised, header, [SECRET], 300))).toBe('mismatch');
    expect(await failure(verifyTerraSignature(body, signTerraBody(body, 'someone-else'), [SECRET], 300))).toBe('mismatch');
  });

  it('rejects a malformed header', async () => {
    expect(await failure(verifyTerraSignature(body, 'v1=abcdef', [SECRET], 300))).toBe('mismatch');
    expect(await failure(verifyTerraSignature(body, 'garbage', [SECRET], 300))).toBe('mismatch');
  });

  it('rejects a header with more than one t= (we would store a time the SDK did not verify)', async () => {
    const t = now();
    const signed = signTerraBody(body, SECRET, t);
    expect(await failure(verifyTerraSignature(body, `t=${t + 100000},${signed}`, [SECRET], 300))).toBe('mismatch');
    expect(await failure(verifyTerraSignature(body, `${signed},t=${t}`, [SECRET], 300))).toBe('mismatch');
    expect(signatureTimestamp(`t=1,${signed}`)).toBeUndefined();
  });

  it('rejects signatures older or newer than the tolerance, in either direction', async () => {
    expect(await failure(verifyTerraSignature(body, signTerraBody(body, SECRET, now() - 330), [SECRET], 300))).toBe('expired');
    expect(await failure(verifyTerraSignature(body, signTerraBody(body, SECRET, now() + 330), [SECRET], 300))).toBe('expired');
    expect(await failure(verifyTerraSignature(body, signTerraBody(body, SECRET, now() - 200), [SECRET], 300))).toBe('accepted');
  });

  it('accepts the previous secret during a rotation, and any one of several v1 values', async () => {
    expect(await failure(verifyTerraSignature(body, signTerraBody(body, PREVIOUS), [SECRET, PREVIOUS], 300))).toBe('accepted');
    expect(await failure(verifyTerraSignature(body, signTerraBody(body, PREVIOUS), [SECRET], 300))).toBe('mismatch');
    const t = now();
    const good = signTerraBody(body, SECRET, t).split('v1=')[1];
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${good.toUpperCase()}`;
    expect(await failure(verifyTerraSignature(body, header, [SECRET], 300))).toBe('accepted');
  });
});

describe('signature headers', () => {
  it('prefers x-terra-signature and falls back to terra-signature', () => {
    expect(terraSignatureHeader({ 'x-terra-signature': 'a', 'terra-signature': 'b' })).toBe('a');
    expect(terraSignatureHeader({ 'terra-signature': 'b' })).toBe('b');
    expect(terraSignatureHeader({})).toBeUndefined();
  });

  it('reads t from the header', () => {
    expect(signatureTimestamp('t=1700000000,v1=ab')).toBe(1700000000);
    expect(signatureTimestamp('v1=ab')).toBeUndefined();
  });

  it('agrees with the SDK\'s verifyTerraWebhookSignature on every case (the SDK is the oracle)', async () => {
    const t = now();
    const hmac = (secret: string, ts: number, bytes: Buffer | string) =>
      createHmac('sha256', secret).update(`${ts}.`).update(bytes).digest('hex');
    const good = hmac(SECRET, t, body);
    const cases: [string, Buffer, string][] = [
      ['valid', body, `t=${t},v1=${good}`],
      ['upper-case hex', body, `t=${t},v1=${good.toUpperCase()}`],
      ['second v1 matches', body, `t=${t},v1=${'0'.repeat(64)},v1=${good}`],
      ['spaces after commas', body, `t=${t}, v1=${good}`],
      ['wrong secret', body, `t=${t},v1=${hmac('other', t, body)}`],
      ['tampered body', Buffer.from(body.toString().replace('success', 'failure')), `t=${t},v1=${good}`],
      ['re-serialised body', Buffer.from(JSON.stringify(JSON.parse(body.toString()))), `t=${t},v1=${good}`],
      ['truncated signature', body, `t=${t},v1=${good.slice(0, 40)}`],
      ['signature with trailing junk', body, `t=${t},v1=${good}zz`],
      ['expired', body, `t=${t - 301},v1=${hmac(SECRET, t - 301, body)}`],
      ['from the future', body, `t=${t + 301},v1=${hmac(SECRET, t + 301, body)}`],
      ['just inside tolerance', body, `t=${t - 290},v1=${hmac(SECRET, t - 290, body)}`],
      ['no v1', body, `t=${t}`],
      ['no t', body, `v1=${good}`],
      ['utf-8 body', Buffer.from('{"type":"auth","name":"Zoë 🏃"}'), `t=${t},v1=${hmac(SECRET, t, '{"type":"auth","name":"Zoë 🏃"}')}`],
    ];
    for (const [name, bytes, header] of cases) {
      const sdk = await verifyTerraWebhookSignature(bytes.toString('utf8'), header, SECRET, { tolerance: 300 }).then(
        () => true,
        () => false,
      );
      const ours = await verifyTerraSignature(bytes, header, [SECRET], 300).then(
        () => true,
        () => false,
      );
      expect({ name, accepted: ours }).toEqual({ name, accepted: sdk });
    }
  });
});
