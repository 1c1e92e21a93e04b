# Cairn's container image.  Two stages: `build` compiles build/cairn with
# the project's Makefile, and the runtime stage holds the binary and the
# shared libraries it links, nothing else.  Plain Dockerfile syntax, so
# Docker, Podman and Buildah all build it:
#
#   docker build -t cairn .
#   podman build --format docker -t cairn .
#
# (Podman and Buildah keep HEALTHCHECK only in the Docker image format.)

FROM debian:bookworm-slim AS build

WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN sh scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make -j"$(nproc)" all && strip build/cairn

FROM debian:bookworm-slim

# The runtime libraries of build/cairn's NEEDED entries (objdump -p), plus
# GnuTLS, which libmicrohttpd uses for HTTPS; libfuzzy2 and libtlsh0 are
# the ssdeep and TLSH correlation.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libmicrohttpd12 libyajl2 libjansson4 libsqlite3-0 libsodium23 \
	libpcre2-8-0 libidn2-0 libgnutls30 libfuzzy2 libtlsh0 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*

# A fixed uid and gid, so that a bind-mounted data directory can be
# chowned to 999:999 on the host.
RUN groupadd --system --gid 999 cairn \
 && useradd --system --uid 999 --gid cairn --home-dir /var/lib/cairn \
	--no-create-home --shell /usr/sbin/nologin cairn \
 && mkdir -p /var/lib/cairn \
 && chown cairn:cairn /var/lib/cairn \
 && chmod 0750 /var/lib/cairn

COPY --from=build /src/build/cairn /usr/local/bin/cairn

ENV CAIRN_DATA=/var/lib/cairn \
    CAIRN_LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/cairn"]
EXPOSE 8080
USER cairn
WORKDIR /var/lib/cairn

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
	CMD ["cairn", "health"]
STOPSIGNAL SIGTERM
# Initialises the volume on the first start (printing the admin API key
# once in the container's log), then serves.
CMD ["cairn", "serve", "--init"]
