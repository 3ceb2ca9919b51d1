import { request as httpRequest } from 'node:http';

export interface StreamedResponse {
  status: number;
  body: Record<string, unknown>;
  /** Bytes of the body written before the answer came. */
  written: number;
}

/**
 * POSTs a chunked body that never ends on its own: 1 MB at a time, up to `maxBytes`, stopping as soon as the
 * server answers. An answer that needs the whole body only comes after all of it is written.
 */
export function streamWebhook(baseUrl: string, headers: Record<string, string>, maxBytes: number): Promise<StreamedResponse> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let written = 0;
    let answered = false;
    const req = httpRequest(`${baseUrl}/webhooks/terra`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString() || '{}') as Record<string, unknown>, written });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      if (answered || req.destroyed) return;
      if (written >= maxBytes) return req.end();
      written += chunk.length;
      if (req.write(chunk)) setImmediate(pump);
      else req.once('drain', pump);
    };
    req.flushHeaders();
    pump();
  });
}
