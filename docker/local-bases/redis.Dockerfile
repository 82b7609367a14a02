# A stand-in for the official redis:7-bookworm image, for machines with no image
# registry (test/compose/run.sh builds it): Debian's Redis 7 server and redis-cli.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && redis-server --version
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER redis
EXPOSE 6379
CMD ["redis-server"]
