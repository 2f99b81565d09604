# minhbach in a container: the workers and the dashboard of compose.yaml. Debian's chromium renders
# the portals drawn by JavaScript (Playwright drives it; no browser is downloaded).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/minhbach minhbach \
    && mkdir -p /srv/minhbach/bodies && chown minhbach:minhbach /srv/minhbach/bodies
COPY . /opt/minhbach
RUN pip install --no-cache-dir /opt/minhbach
USER minhbach
ENV MINHBACH_DATA_DIR=/var/lib/minhbach
CMD ["minhbach", "--help"]
