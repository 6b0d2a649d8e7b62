# The shop's image: Python 3.11 slim, gunicorn as an unprivileged user, translations compiled at build.
# Build: docker build -t galeri .   Run with compose.yaml (PostgreSQL, Redis, the web app, the worker).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=gallery \
    GALLERY_ENV=production \
    UPLOAD_FOLDER=/var/lib/gallery/uploads \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /srv/gallery

# Dependencies first, so a code change does not reinstall them (psycopg-binary and pillow ship wheels).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY config.py wsgi.py gunicorn.conf.py babel.cfg ./
COPY gallery ./gallery
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY data ./data

# Compiled catalogues are build output (never committed). The development configuration is enough to
# compile; the running container uses GALLERY_ENV from its environment.
RUN GALLERY_ENV=development python -c "from gallery.i18n import compile_catalogs; compile_catalogs()" \
    && groupadd --system --gid 10001 gallery \
    && useradd --system --uid 10001 --gid gallery --home-dir /srv/gallery --shell /usr/sbin/nologin gallery \
    && mkdir -p /var/lib/gallery/uploads /srv/gallery/instance \
    && chown -R gallery:gallery /var/lib/gallery /srv/gallery/instance

USER 10001:10001
EXPOSE 8000
VOLUME ["/var/lib/gallery/uploads"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

CMD ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
