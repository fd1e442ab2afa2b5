"""The HTTP service behind `paragraf serve`: the library's answers over HTTP, under `/v1`.

Owns the app factory (`app.create_app`), its settings (`settings`), what a worker's endpoints
share (`state`, with the evaluation pool in `running`), the bounded request
bodies (`bodies`), RFC 9457 problem answers (`problems`), the endpoints for decisions
(`decisions`), refusion (`refusion`) and the rules, acts and schemas (`catalogue`, with the data
it serves in `rulebook_data`), the decision log writer each worker keeps (`decision_log`) and
the OpenAPI document with its self-hosted interactive docs (`openapi`). It adds no law and no
format of its own: it reads cases, evaluates, compares and renders through the lower layers.
Part of the top layer, `interfaces`: may import every layer up to `planning`, never `cli`.
Entry point: `app.create_app`.
"""
from engine.interfaces.service.app import create_app

__all__ = ["create_app"]
