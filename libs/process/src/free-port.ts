import { createServer } from 'node:net';

function listenOnce(port: number, host: string): Promise<number | undefined> {
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

/** A port the OS just handed out on 127.0.0.1; free for the moment, which is all a dev launcher needs. */
export async function findFreePort(): Promise<number> {
  const port = await listenOnce(0, '127.0.0.1');
  if (port === undefined) throw new Error('the OS gave no free port');
  return port;
}

/** The apps listen on 0.0.0.0, so that is where the port must be free. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await listenOnce(port, '0.0.0.0')) !== undefined;
}
