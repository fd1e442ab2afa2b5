"""paragraf as a service: the web page at `/` (`web`), for caseworkers, legal officers and auditors.

The page is server-rendered with Jinja2 (`templates/`, with its stylesheet in `static/`), usable
without JavaScript, in Danish and English. It reads the rulebook, the decision log path and the
rulebook's label from the application's state (`app.state.rulebook`, `app.state.log`,
`app.state.rules_label`). The top layer besides `cli`: it may import every layer below it.
Entry point: `web.router`, a FastAPI `APIRouter` the application includes.
"""
