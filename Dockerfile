# syntax=docker/dockerfile:1
# jit-admission: the webhook and operator in one image.
#   make image                      (docker or podman; IMAGE=... VERSION=... to name it)
#   docker build -t jit-admission .
# Stage 1 builds the Native AOT executable with the .NET SDK; the image ships only that executable on a
# chiseled runtime-deps base (no shell, no package manager, no SDK, no .NET runtime: the executable carries its
# own). "extra" chiseled images add tzdata and ICU: policy schedules name IANA time zones (Europe/Berlin), which
# .NET resolves from /usr/share/zoneinfo.

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra

# Native code is built for the platform it runs on: each platform of a multi-platform build compiles its own
# (an arm64 image built on amd64 compiles under emulation). The native link needs clang and zlib headers.
FROM ${SDK_IMAGE} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore from the project files alone first, so that a source change does not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/JitAdmission/JitAdmission.csproj src/JitAdmission/
COPY src/JitAdmission.Core/JitAdmission.Core.csproj src/JitAdmission.Core/
COPY src/JitAdmission.Kubernetes/JitAdmission.Kubernetes.csproj src/JitAdmission.Kubernetes/
COPY src/JitAdmission.Webhook/JitAdmission.Webhook.csproj src/JitAdmission.Webhook/
COPY src/JitAdmission.Controller/JitAdmission.Controller.csproj src/JitAdmission.Controller/
RUN dotnet restore src/JitAdmission/JitAdmission.csproj --use-current-runtime
COPY src/ src/
# The same publish step as `make publish` (which writes to artifacts/publish).
RUN dotnet publish src/JitAdmission/JitAdmission.csproj --configuration Release --use-current-runtime --no-restore --output /app

FROM ${RUNTIME_IMAGE} AS runtime
ARG RUNTIME_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="jit-admission" \
      org.opencontainers.image.description="Just-in-time human approval for risky Kubernetes changes: admission webhook and operator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
WORKDIR /app
# Owned by root and read-only for the app user. The executable and its settings; not the debug symbols.
COPY --from=build /app/jit-admission /app/appsettings.json ./
# Kestrel listens where the program says (HTTPS 8443, optional metrics 9090); the base image's default HTTP
# port would only produce a warning. Nothing writes to the file system except /tmp (an emptyDir in the chart).
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8443
# The chiseled images' non-root "app" user, numeric so that runAsNonRoot can verify it. No HEALTHCHECK:
# Kubernetes probes /healthz and /readyz.
USER 1654:1654
ENTRYPOINT ["/app/jit-admission"]
