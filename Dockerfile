# paragraf serve in a container: the HTTP API on port 8000, the bundled rulebook.
#   docker build -t paragraf .
#   docker run --rm -p 8000:8000 paragraf                        # one worker
#   docker run --rm -p 8000:8000 -v paragraf-log:/data paragraf \
#       paragraf serve --host 0.0.0.0 --workers 2 --log /data/decisions.sqlite
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# what `pip install .` needs to build the wheel (the rules and legal_refs are bundled into it)
COPY pyproject.toml README.md LICENSE ./
COPY engine ./engine
COPY rules ./rules
COPY legal_refs ./legal_refs
RUN pip install . && rm -rf /src \
    && useradd --create-home --uid 10001 paragraf \
    && mkdir /data && chown paragraf /data

USER paragraf
WORKDIR /home/paragraf
# check the bundled rulebook once at build time: it is then in the rulebook cache, and each
# worker starts in a fraction of a second
RUN paragraf check

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/v1/health', timeout=4)"
CMD ["paragraf", "serve", "--host", "0.0.0.0", "--port", "8000"]
