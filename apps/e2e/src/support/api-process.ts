import { apiRequester, type ApiRequest } from '@terra-connections/testing';
import { DistProcess } from './dist-process';

/** The built API as its own process, with the same request helper the in-process API tests use. */
export interface ApiProcess {
  process: DistProcess;
  url: string;
  request: ApiRequest;
  close(): Promise<void>;
}

/** Starts `dist/apps/api` with `env` (PORT=0 picks a free port) and resolves once it listens. */
export async function startApiProcess(env: NodeJS.ProcessEnv, defaultKey: string): Promise<ApiProcess> {
  const api = await DistProcess.start('api', env, { ready: /api listening on (\d+)/ });
  const port = Number((await api.waitForOutput(/api listening on (\d+)/))[1]);
  const url = `http://127.0.0.1:${port}`;
  return {
    process: api,
    url,
    request: apiRequester(url, defaultKey),
    close: async () => {
      await api.stop();
    },
  };
}
