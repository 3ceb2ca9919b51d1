import { createServer } from 'node:net';

/**
 * Our apps bind 0.0.0.0, so that is where a port must be free; a port free there is free on 127.0.0.1 too.
 * Resolves undefined when the port is taken (or not ours to bind).
 */
function listenOnce(port: number, host = '0.0.0.0'): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error),
    );
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port the OS just handed out: free for the moment, for a process that must be told its port before it
 * starts (a launcher's children, the API whose URL the sandbox must know, a benchmark's apps).
 */
export async function findFreePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('the OS gave no free port');
  return port;
}

export async function isPortFree(port: number): Promise<boolean> {
  return (await listenOnce(port)) !== undefined;
}
