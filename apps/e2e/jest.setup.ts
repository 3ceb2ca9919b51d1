// Processes boot and stop (SIGTERM, then a drain) inside hooks and tests: more room than a single process needs.
jest.setTimeout(60_000);
