# plane-teams container: build on Debian bookworm, run on bookworm-slim as a non-root
# user with only the runtime libraries. Only /data is written (state, logs, metrics),
# so the root filesystem can be read-only. See docs/docker.md.
ARG DEBIAN=bookworm

FROM debian:${DEBIAN} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
      liblua5.4-dev libuv1-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY host ./host
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPT_TESTS=OFF \
 && cmake --build build -j"$(nproc)" \
 && strip build/plane-teams

FROM debian:${DEBIAN}-slim
# The runtime packages, nothing else (the apt lists, caches and logs are not kept).
ARG RUNTIME_PACKAGES="liblua5.4-0 lua-cjson libuv1 libcurl4 ca-certificates tzdata"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/apt \
      /var/log/dpkg.log /var/log/alternatives.log \
 && groupadd --gid 10001 plane-teams \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin plane-teams \
 && mkdir -p /data/logs \
 && chown -R 10001:10001 /data
COPY --from=build /src/build/plane-teams /usr/local/bin/plane-teams
COPY config.lua /app/config.lua
COPY scripts /app/scripts
# /app holds the configuration and ./scripts (read-only), so `plane-teams COMMAND` finds
# both from any `docker run` or `docker exec`; what is written goes to /data.
WORKDIR /app
ENV PLANE_TEAMS_CONFIG=/app/config.lua \
    STATE_FILE=/data/state.json \
    LOG_FILE=/data/logs/plane-teams.log
USER 10001:10001
VOLUME ["/data"]
# SIGHUP reloads config.lua and the scripts: docker kill -s HUP plane-teams
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5m --timeout=10s --start-period=2m --retries=1 \
  CMD ["plane-teams", "status"]
ENTRYPOINT ["plane-teams"]
CMD ["run"]
