# The toc service: `toc serve` on 0.0.0.0:8000, the store named by TOC_DATABASE_URL.
# Without TOC_DATABASE_URL it keeps a SQLite file in the volume /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first, so that editing the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir toc services api web app \
    && touch toc/__init__.py services/__init__.py api/__init__.py web/__init__.py app/__init__.py \
    && pip install . \
    && pip uninstall --yes toc \
    && rm -rf toc services api web app build *.egg-info
COPY toc ./toc
COPY services ./services
COPY api ./api
COPY web ./web
COPY app ./app
COPY examples ./examples
COPY schemas ./schemas
# Editable, so `toc serve --demo` finds /app/examples beside the code.
RUN pip install --no-deps --editable . \
    && useradd --create-home --uid 10001 toc \
    && mkdir /data && chown toc /data

USER toc
WORKDIR /data
VOLUME ["/data"]
ENV TOC_DATABASE_URL=sqlite:////data/toc.db
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# Migrates the store, prints a sign-in URL with a fresh admin token, and serves.
CMD ["toc", "serve", "--host", "0.0.0.0", "--port", "8000"]
