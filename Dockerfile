# minhbach in a container: the workers and the dashboard of compose.yaml. Debian's chromium renders
# the portals drawn by JavaScript (Playwright drives it; no browser is downloaded).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/minhbach minhbach \
    && mkdir -p /srv/minhbach/bodies && chown minhbach:minhbach /srv/minhbach/bodies
WORKDIR /opt/minhbach
# The dependencies first, pinned by constraints.txt: this layer is built again only when
# pyproject.toml or constraints.txt change, not with every change of the code.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir minhbach && pip install --no-cache-dir -c constraints.txt '.[all]' && pip uninstall --yes minhbach
COPY . .
RUN pip install --no-cache-dir --no-deps .
USER minhbach
ENV MINHBACH_DATA_DIR=/var/lib/minhbach
# Healthy when the store answers with the schema this minhbach needs (compose.yaml asks the
# dashboard's /health besides).
HEALTHCHECK --interval=1m --timeout=20s --start-period=30s CMD ["minhbach", "db", "status"]
CMD ["minhbach", "--help"]
