import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port that was free a moment ago (the kernel picked it for a throwaway listener). Used where a port must be
 * known before its process starts: the API's, which the sandbox's webhook URL names and a restart must reuse.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Every interface, as the API binds (0.0.0.0): a port taken on any of them is not offered.
    server.listen(0, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
