import { createHmac } from 'node:crypto';

/** `t=<seconds>,v1=<hex HMAC-SHA256 of "t." + body>`, as Terra signs (terra-contract.md §4); computed per send. */
export function signTerraBody(body: string | Buffer, secret: string, t = Math.floor(Date.now() / 1000)): string {
  const hmac = createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body).digest('hex');
  return `t=${t},v1=${hmac}`;
}
