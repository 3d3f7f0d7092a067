# The image of the edge-publish GitHub Action (`runs: using: docker`, `image: Dockerfile`).
#
# Three stages, so that the final image holds the runtime venv and nothing else (no uv, no
# build backend, no source tree, no lock export), and so that a code change rebuilds and
# re-pulls only the small last layer:
#   deps     the locked dependencies (from uv.lock) in a venv at /opt/edge-publish
#   project  the project itself, installed non-editable into that venv; only its own files
#            (the package, its dist-info, the console script, entrypoint.py) are staged
#   final    the base image + the deps venv (one layer) + the project's files (one layer)
#
# Runner constraints: the runner starts the container as root with its own HOME, PATH and
# working directory (the workspace), so there is no USER and the entrypoint is an absolute
# exec-form path that relies on none of them.
#
# Bytecode: every module of the venv is compiled at build time (unchecked-hash .pyc files: the
# image is immutable, so no start-up stats or hashes the sources), and PYTHONDONTWRITEBYTECODE
# keeps a run from writing any. Without them each container start compiled its imports afresh:
# see docs/performance.md.
#
# The base image is pinned by the digest of its multi-arch index (amd64 and arm64), with the
# tag kept for readers; Dependabot (docker ecosystem) moves both together.

FROM python:3.13-slim@sha256:6771159cd4fa5d9bba1258caf0b82e6b73458c694d178ad97c5e925c2d0e1a91 AS deps

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy

# uv reads the lock; it lives in this build stage only.
RUN pip install uv==0.13.9

WORKDIR /build

# Only the lock and the project's metadata: this layer is rebuilt when the lock changes, not when
# the code does. --require-hashes: every wheel is checked against the hash recorded in uv.lock.
COPY pyproject.toml uv.lock ./
RUN uv export --quiet --frozen --no-dev --no-emit-project --format requirements-txt -o requirements.txt \
    && uv venv --python /usr/local/bin/python3 /opt/edge-publish \
    && uv pip install --python /opt/edge-publish/bin/python --require-hashes --no-deps \
        -r requirements.txt \
    && /opt/edge-publish/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash \
        /opt/edge-publish/lib


FROM deps AS project

# The build backend is pinned too, so the same source always builds the same wheel.
COPY README.md LICENSE ./
COPY edge_publish ./edge_publish
RUN echo "hatchling==1.33.0" > build-constraints.txt \
    && uv pip install --python /opt/edge-publish/bin/python --no-deps \
        --build-constraint build-constraints.txt . \
    && /opt/edge-publish/bin/python -m compileall -q --invalidation-mode unchecked-hash \
        /opt/edge-publish/lib/python3*/site-packages/edge_publish \
    && mkdir -p /stage \
    && cp -a --parents /opt/edge-publish/bin/edge-publish \
        /opt/edge-publish/lib/python3*/site-packages/edge_publish \
        /opt/edge-publish/lib/python3*/site-packages/edge_publish-*.dist-info /stage/
COPY entrypoint.py /stage/opt/edge-publish/entrypoint.py


FROM python:3.13-slim@sha256:6771159cd4fa5d9bba1258caf0b82e6b73458c694d178ad97c5e925c2d0e1a91

LABEL org.opencontainers.image.title="edge-publish" \
      org.opencontainers.image.description="Upload a browser extension to Microsoft Edge Add-ons, wait for validation, publish it and report the verdict." \
      org.opencontainers.image.source="https://github.com/edge-publish/edge-publish" \
      org.opencontainers.image.url="https://github.com/edge-publish/edge-publish" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY --from=deps /opt/edge-publish /opt/edge-publish
COPY --from=project /stage/ /

ENTRYPOINT ["/opt/edge-publish/bin/python", "/opt/edge-publish/entrypoint.py"]
