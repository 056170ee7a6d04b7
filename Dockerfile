# syntax=docker/dockerfile:1
# The production image of Kewaspadaan. One image runs every role of docker-compose.yml:
# gunicorn (web, the default command), the Celery worker, Celery beat and the one-off
# migrate service. Configuration comes from the environment only (see .env.example).

# --- 1. Front-end libraries ---------------------------------------------------------------
# Leaflet, Chart.js, htmx and Swagger UI from package-lock.json, copied into static/vendor/
# by the same script ./dev uses. The portal serves them itself, never from a CDN.
FROM node:20 AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/vendor-static.mjs scripts/
RUN node scripts/vendor-static.mjs

# --- 2. The application -------------------------------------------------------------------
FROM python:3.12-slim AS app

# STATIC_ROOT and MEDIA_ROOT describe this image's layout; .env.example repeats them and
# says not to change them for containers.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=kewaspadaan.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# The uv that reads uv.lock (the same version ./dev installs).
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.8

WORKDIR /app

# Python dependencies first, so this layer is rebuilt only when the lock changes.
# --frozen: install exactly uv.lock, never re-resolve; --no-dev: no test tools.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3.12

COPY . .
COPY --from=frontend /src/static/vendor/ static/vendor/

# Translations and static files are built into the image. Importing the settings needs a
# SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL even though collectstatic uses none of them:
# the dummy values below exist for this one command only and are not kept in the image.
RUN python scripts/compile_translations.py \
 && SECRET_KEY=collectstatic-at-build-time-only-this-is-not-a-secret-key-0000 \
    DEBUG=false DEMO_MODE=false ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0 \
 && rm -f /tmp/collectstatic.sqlite3 \
 && python -m compileall -q kewaspadaan laporan forkopimda

# Run as an unprivileged user. The code stays owned by root (read-only for the app); only
# the uploaded media directory is writable. docker-compose.yml mounts the "media" volume
# there, and a new named volume takes over this directory's owner.
RUN groupadd --system --gid 10001 kewaspadaan \
 && useradd --system --uid 10001 --gid kewaspadaan --home-dir /app --no-create-home \
    --shell /usr/sbin/nologin kewaspadaan \
 && mkdir -p /app/media \
 && chown kewaspadaan:kewaspadaan /app/media
USER kewaspadaan:kewaspadaan

EXPOSE 8000
# The web service of docker-compose.yml. No control socket: gunicorn 27 would create one
# under $HOME, which is read-only for the app user.
CMD ["gunicorn", "kewaspadaan.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--timeout", "60", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--forwarded-allow-ips", "*", \
     "--access-logfile", "-"]
