# A stand-in for the official nats:2.10-alpine image, for machines with no image
# registry (test/compose/run.sh builds it): Debian's nats-server, and wget for
# the compose file's health check (busybox has it in the official image).
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nats-server wget \
 && rm -rf /var/lib/apt/lists/* \
 && nats-server --version
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER 65534:65534
EXPOSE 4222 8222
CMD ["nats-server"]
