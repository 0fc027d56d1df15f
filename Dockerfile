# syntax=docker/dockerfile:1
# Kampung Terpadu GraphQL API. The build stage compiles the server to JavaScript (dist/server,
# `npm run build:server`) and bundles the web app (dist/web); the runtime image runs the compiled
# server with production dependencies only. Running the TypeScript sources through tsx instead
# kept ~95 MiB more resident per process (bench/README.md, 2026-12-05). Migrations (drizzle/) and
# the bundled open data (data/) are applied/loaded by the application itself on start.
# Node 22: the current LTS (Node 20 reached end of life in April 2026). CI also tests Node 20.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first so this layer is reused while only the sources change.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Sources stay owned by root (read-only for the app): the CLIs (seed, import, token) run them
# through tsx. Only the embedded database's data directory (used when DATABASE_URL is unset) is
# writable by the `node` user.
COPY . .
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 4000
# node itself, not `npm start`: npm relays SIGTERM only to its shell, so `docker stop` left the
# server running until the kill (measured: the node process outlived `kill -TERM <npm>`).
CMD ["node", "dist/server/src/main.js"]
