# One image for the gateway, the worker and the provider sandbox; docker-compose.yml picks the command.
# Debian-based on purpose: Temporal's native core-bridge ships glibc builds only (no Alpine/musl).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
ENV SCARF_ANALYTICS=false
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json && node dist/scripts/build-workflow-bundle.js && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/examples ./examples
# A named volume takes this directory's owner, so the unprivileged user can write the SQLite files.
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "dist/apps/gateway/main.js"]
