# syntax=docker/dockerfile:1
# Kampung Terpadu GraphQL API. `npm start` runs the TypeScript sources with tsx (a runtime
# dependency), so there is no separate build stage. Migrations (drizzle/) and the bundled open
# data (data/) are applied/loaded by the application itself on start.
# Node 22: the current LTS (Node 20 reached end of life in April 2026). CI also tests Node 20.
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

# Sources stay owned by root (read-only for the app); only the embedded database's data
# directory (used when DATABASE_URL is unset) is writable by the `node` user.
COPY . .
# The web app (/app) is built here (chown: `npm run build:web` may rebuild it as the node user).
RUN npm run build:web && chown -R node:node /app/dist
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 4000
# node itself, not `npm start`: npm relays SIGTERM only to its shell, so `docker stop` left the
# server running until the kill (measured: the node process outlived `kill -TERM <npm>`). The web
# app is built above, which is all `npm start`'s prestart would add.
CMD ["node", "--import", "tsx", "src/main.ts"]
