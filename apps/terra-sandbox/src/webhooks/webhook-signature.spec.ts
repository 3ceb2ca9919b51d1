import { verifyTerraWebhookSignature } from 'terra-api';
import { terraSignatureHeader } from './webhook-signature';

describe('terraSignatureHeader', () => {
  it('produces a header the SDK verifies over the same bytes', async () => {
    const body = JSON.stringify({ type: 'auth', note: 'naïve ✓' });
    const t = Math.floor(Date.now() / 1000);
    const header = terraSignatureHeader(body, 's3cret', t);
    expect(header).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
    await expect(verifyTerraWebhookSignature(body, header, 's3cret')).resolves.toBe(true);
    await expect(verifyTerraWebhookSignature(`${body} `, header, 's3cret')).rejects.toThrow();
  });
});
