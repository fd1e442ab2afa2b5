"""The interfaces: the two ways other systems call paragraf, the command line and the HTTP service.

Owns the `paragraf` command (`cli`) and the HTTP API with its web page behind `paragraf serve`
(`service`). The top layer: it may import every other layer. Inside it, `cli` may import
`service` (to start it), never the other way. Entry points: `cli.main` (the console script and
`python -m engine`) and `service.create_app` (the app factory uvicorn runs).
"""
