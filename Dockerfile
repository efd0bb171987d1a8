# cardwatch: the scoring API in a container. Build: docker build -t cardwatch .
# Run:   docker run -p 8000:8000 -v cardwatch:/var/lib/cardwatch cardwatch   (compose.yaml trains a model first)
ARG NODE_VERSION=24

# ---- build: all dependencies, compile TypeScript and the web app, then drop the dev dependencies ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt addon; these compile it when there is none for this Node/arch (or no access
# to GitHub). Build stage only: the runtime image gets the compiled addon, not the compilers.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc comes with the lockfile: it tells onnxruntime-node to use the CPU binary in its package (no download).
COPY package.json package-lock.json .npmrc ./
# No scripts yet: the package's own `prepare` builds, and the sources are not here yet. This layer stays cached
# until the lockfile changes.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# The dependencies' install scripts (better-sqlite3's native addon), the build, then production dependencies only.
RUN npm rebuild --foreground-scripts \
  && npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: Node LTS slim, production dependencies, compiled output, non-root ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/configs ./configs
COPY --from=build /app/scripts/container-train.sh ./scripts/container-train.sh
# State (data/, runs/, models/, the prediction log) lives in one volume; relative paths in the config resolve
# against the working directory, so every cardwatch command run here reads and writes the volume.
RUN mkdir -p /var/lib/cardwatch && chown node:node /var/lib/cardwatch
VOLUME /var/lib/cardwatch
WORKDIR /var/lib/cardwatch
USER node
EXPOSE 8000
# The image has no curl: Node's fetch asks /health (liveness), as an orchestrator would.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/cardwatch.js", "--config", "/app/configs/default.yaml"]
CMD ["serve", "--host", "0.0.0.0"]
