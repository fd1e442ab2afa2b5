"""`paragraf serve`: every endpoint of the HTTP API against a real uvicorn on 127.0.0.1, with bad
input on each, decisions compared byte for byte with the library's, and the decision log."""
from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator

import httpx
import pyarrow.parquet as pq
import pytest
import yaml

import engine
from engine.audit import log as auditlog
from engine.interfaces.service import lawbook
from engine.officer import compare as comparing
from engine.officer.decision_schema import decision_schema
from engine.officer.schema import case_schema, dumps
from tests import serving

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if "tilsyn" not in p.name)
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def book() -> engine.Rulebook:
    return engine.load()


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve") / "decisions.db"


@pytest.fixture(scope="module")
def url(log_path: Path) -> Iterator[str]:
    with serving.running("--log", str(log_path), cwd=ROOT) as base:
        yield base


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60) as http:
        yield http


def case_data(path: Path) -> dict[str, Any]:
    """A case file as the JSON a client sends (dates as text)."""
    data: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
    return data


HILLEROD = ROOT / "examples" / "hillerod-complex.yaml"


def assert_problem(response: httpx.Response, status: int, path: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["type"].startswith("https://") and problem["detail"]
    assert "Traceback" not in response.text
    if path is not None:
        assert path in [e["path"] for e in problem.get("errors", ())], problem
    return problem


def still_serving(client: httpx.Client) -> None:
    assert client.get("/v1/health").json() == {"status": "ok"}


# -- decisions -------------------------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_decision_is_the_librarys_json_byte_for_byte(client: httpx.Client, book: engine.Rulebook, example: Path) -> None:
    data = case_data(example)
    response = client.post("/v1/decisions", json=data)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.content == book.evaluate(data).to_json().encode()


def test_explain_as_of_and_with_are_the_librarys(client: httpx.Client, book: engine.Rulebook) -> None:
    data = case_data(HILLEROD)
    proposal = next(iter(book.checked.proposals))
    response = client.post("/v1/decisions", json=data,
                           params={"explain": "true", "as_of": "2021-06-01", "with": proposal})
    expected = book.evaluate(data, "2021-06-01", [proposal]).to_json(include=("trace",))
    assert response.status_code == 200 and response.text == expected
    assert '"explanation"' in response.text


@pytest.mark.parametrize("accept,fmt", [("text/html", "html"), ("text/markdown", "markdown")])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_accept_gives_the_report(client: httpx.Client, book: engine.Rulebook, accept: str, fmt: str, lang: str) -> None:
    data = case_data(HILLEROD)
    response = client.post("/v1/decisions", json=data, params={"lang": lang}, headers={"accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    assert response.text == book.evaluate(data).explain(format=fmt, lang=lang)


def _with_citizen(**facts: Any) -> dict[str, Any]:
    data = case_data(HILLEROD)
    data["citizen"] = {**data["citizen"], **facts}
    return data


BAD_CASES = {
    "unknown field": (_with_citizen(benfit="x"), "citizen.benfit", "did you mean 'citizen.benefit'?"),
    "bad code": (_with_citizen(benefit="kontanthjalp"), "citizen.benefit", "did you mean 'kontanthjaelp'?"),
    "wrong type": (_with_citizen(birth_date=17), "citizen.birth_date", None),
    "wrong type of a flag": (_with_citizen(complex_case="often"), "citizen.complex_case", None),
    "not an object": (["a", "list"], "", None),
}


@pytest.mark.parametrize("name", BAD_CASES)
def test_a_case_that_does_not_fit_is_a_422_with_its_field_path(client: httpx.Client, name: str) -> None:
    body, path, hint = BAD_CASES[name]
    problem = assert_problem(client.post("/v1/decisions", json=body), 422, path)
    if hint is not None:
        assert hint in [e["hint"] for e in problem["errors"]]
    still_serving(client)


def test_malformed_json_is_a_400_with_line_and_column(client: httpx.Client) -> None:
    problem = assert_problem(client.post("/v1/decisions", content=b'{"case": "x",\n  "as_of": }',
                                         headers={"content-type": "application/json"}), 400)
    assert (problem["errors"][0]["line"], problem["errors"][0]["column"]) == (2, 12)
    still_serving(client)


def test_an_oversized_body_is_a_413(client: httpx.Client) -> None:
    body = json.dumps({**case_data(HILLEROD), "case": "x" * (1 << 20)}).encode()
    assert_problem(client.post("/v1/decisions", content=body, headers={"content-type": "application/json"}), 413)
    still_serving(client)


@pytest.mark.parametrize("params,path", [({"as_of": "2021-13-01"}, "query.as_of"), ({"with": "nope"}, "query.with"),
                                         ({"lang": "sv"}, "query.lang"), ({"explain": "perhaps"}, "query.explain")])
def test_bad_query_parameters_are_a_422_with_their_path(client: httpx.Client, params: dict[str, str], path: str) -> None:
    assert_problem(client.post("/v1/decisions", json=case_data(HILLEROD), params=params), 422, path)
    still_serving(client)


def test_an_unknown_accept_is_a_406(client: httpx.Client) -> None:
    assert_problem(client.post("/v1/decisions", json=case_data(HILLEROD), headers={"accept": "image/png"}),
                   406, "header.accept")


# -- batch and compare -----------------------------------------------------------------------

def test_a_batch_answers_every_line_in_order(client: httpx.Client, book: engine.Rulebook) -> None:
    good = [case_data(p) for p in EXAMPLES[:3]]
    lines = [json.dumps(good[0]), '{"case": ', json.dumps(good[1]), "",
             json.dumps(_with_citizen(benfit="x")), json.dumps(good[2])]
    response = client.post("/v1/decisions/batch", content="\n".join(lines).encode(),
                           headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    answers = response.text.split("\n")
    assert answers.pop() == ""  # every answer ends its line
    assert len(answers) == 5  # the blank line is skipped
    assert [answers[0], answers[2], answers[4]] == [book.evaluate(c).to_json().rstrip("\n") for c in good]
    malformed, unfit = json.loads(answers[1]), json.loads(answers[3])
    assert malformed["line"] == 2 and malformed["error"]["status"] == 400
    assert unfit["line"] == 5 and unfit["error"]["status"] == 422
    assert unfit["error"]["errors"][0]["path"] == "citizen.benfit"
    still_serving(client)


def test_compare_is_the_librarys_comparison(client: httpx.Client, book: engine.Rulebook) -> None:
    data, proposal = case_data(HILLEROD), next(iter(book.checked.proposals))
    response = client.post("/v1/decisions/compare", json={"case": data, "proposal": proposal})
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(comparing.compare(book, data, proposal).to_dict()))


@pytest.mark.parametrize("body,path", [
    ({"case": case_data(HILLEROD)}, "proposal"),
    ({"case": case_data(HILLEROD), "proposal": "nope"}, "proposal"),
    ({"case": _with_citizen(benfit="x"), "proposal": "tvaergaaende-borgerforloeb"}, "case.citizen.benfit"),
    ({"case": case_data(HILLEROD), "proposal": "tvaergaaende-borgerforloeb", "extra": 1}, "extra"),
])
def test_a_bad_comparison_is_a_422_with_its_path(client: httpx.Client, body: dict[str, Any], path: str) -> None:
    assert_problem(client.post("/v1/decisions/compare", json=body), 422, path)
    still_serving(client)


# -- refusion --------------------------------------------------------------------------------

PAYMENTS = ROOT / "examples" / "payments.csv"


def _expected_weeks(book: engine.Rulebook, path: Path) -> list[dict[str, Any]]:
    return json.loads(json.dumps(book.refusion(path).records(), default=str))


def test_refusion_from_csv_json_and_json_lines(client: httpx.Client, book: engine.Rulebook) -> None:
    expected = _expected_weeks(book, PAYMENTS)
    text = PAYMENTS.read_text()
    header, *rows = [line.split(",") for line in text.splitlines()]
    records = [dict(zip(header, row)) for row in rows]
    bodies = {"text/csv": text.encode(), "application/json": json.dumps(records).encode(),
              "application/x-ndjson": "".join(json.dumps(r) + "\n" for r in records).encode()}
    for media, body in bodies.items():
        response = client.post("/v1/refusion", content=body, headers={"content-type": media})
        assert response.status_code == 200, response.text
        assert response.json() == {"weeks": expected, "bad_rows": []}, media


def test_refusion_lists_bad_rows_and_keeps_the_good_ones(client: httpx.Client, book: engine.Rulebook) -> None:
    text = PAYMENTS.read_text() + "dora,751,kontanthjaelp,lots,2021-01-04,2021-01-31\n"
    response = client.post("/v1/refusion", content=text.encode(), headers={"content-type": "text/csv"})
    assert response.status_code == 200
    answer = response.json()
    assert [row["line"] for row in answer["bad_rows"]] == [6] and "amount" in answer["bad_rows"][0]["reason"]
    assert answer["weeks"] == _expected_weeks(book, PAYMENTS)


def test_refusion_as_parquet(client: httpx.Client, book: engine.Rulebook) -> None:
    response = client.post("/v1/refusion", content=PAYMENTS.read_bytes(),
                           headers={"content-type": "text/csv", "accept": "application/vnd.apache.parquet"})
    assert response.status_code == 200 and response.headers["paragraf-bad-rows"] == "0"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.to_pylist() == book.refusion(PAYMENTS).records()
    assert json.loads(table.schema.metadata[b"paragraf:bad_rows"]) == []


@pytest.mark.parametrize("body,media,status", [(b"a,b\n1,2\n", "text/csv", 422), (b"[1, ", "application/json", 400),
                                               (b"{}", "application/json", 422), (b"x", "image/png", 415)])
def test_bad_payment_bodies_are_problems(client: httpx.Client, body: bytes, media: str, status: int) -> None:
    assert_problem(client.post("/v1/refusion", content=body, headers={"content-type": media}), status)
    still_serving(client)


# -- rules, acts, schemas, health ------------------------------------------------------------

CONTACT = "lab.kontaktforloeb.fire_samtaler"


def test_rules_and_one_rule(client: httpx.Client, book: engine.Rulebook) -> None:
    listed = client.get("/v1/rules").json()
    assert [r["id"] for r in listed] == [r.id for r in book.checked.ruleset.rules]
    proposals = client.get("/v1/rules", params={"kind": "proposal"}).json()
    assert proposals and {r["kind"] for r in proposals} == {"proposal"}
    rule = client.get(f"/v1/rules/{CONTACT}").json()
    assert rule["id"] == CONTACT and rule["kind"] == "obligation" and rule["formula"]["when"]
    assert rule["in_words"]["en"] and rule["in_words"]["da"] != rule["in_words"]["en"]
    cited = book.checked.rule(CONTACT).refs[0].text  # type: ignore[union-attr]
    assert rule["citations"][0]["cite"] == cited
    assert all(v["eli"].startswith("https://www.retsinformation.dk/eli/") for v in rule["citations"][0]["versions"])
    assert any("en_plan.yaml" in s for s in rule["scenarios"])
    # one answer for the API and the web page's rule page: the scenarios in which the rule applied
    page = lawbook.rule(book, CONTACT, "en")["scenarios"]
    assert rule["scenarios"] == [f"{s['file']}:{s['line']} {s['name']}" for s in page]


def test_an_unknown_rule_is_a_404_with_a_hint(client: httpx.Client) -> None:
    problem = assert_problem(client.get("/v1/rules/lab.kontaktforloeb.fire_samtalr"), 404, "path.rule_id")
    assert problem["errors"][0]["hint"] == f"did you mean '{CONTACT}'?"
    assert_problem(client.get("/v1/rules", params={"kind": "law"}), 422, "query.kind")
    still_serving(client)


def test_acts_and_one_act(client: httpx.Client, book: engine.Rulebook) -> None:
    acts = client.get("/v1/acts").json()
    assert "LAB" in [a["act"] for a in acts]
    lab = client.get("/v1/acts/lab").json()  # an act by name, in any case
    assert lab["act"] == "LAB" and lab["versions"]
    citing = {rule for version in lab["versions"] for p in version["paragraphs"] for rule in p["rules"]}
    assert CONTACT in citing
    assert_problem(client.get("/v1/acts/LABB"), 404, "path.act")


def test_schemas(client: httpx.Client, book: engine.Rulebook) -> None:
    assert client.get("/v1/schema/case").text == dumps(case_schema(book.checked.inputs))
    assert client.get("/v1/schema/decision").text == dumps(decision_schema())
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    assert schemas["Case"]["properties"] == case_schema(book.checked.inputs)["properties"]
    assert schemas["Decision"]["properties"] == decision_schema()["properties"]


def test_health_version_and_unknown_paths(client: httpx.Client, book: engine.Rulebook) -> None:
    version = client.get("/v1/version").json()
    assert version["rulebook"]["fingerprint"] == book.fingerprint
    assert version["engine_version"] == engine.rulebook.engine_version()
    assert_problem(client.get("/v1/nothing"), 404)
    assert_problem(client.get("/v1/decisions"), 405)


def test_the_docs_are_served_without_a_cdn(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    scripts = [part.split('"')[1] for part in page.text.split("src=")[1:]]
    assert scripts and all(src.startswith("/") for src in scripts)
    for src in scripts:
        assert client.get(src).status_code == 200


# -- the decision log ------------------------------------------------------------------------

def _entries(path: Path) -> list[auditlog.Entry]:
    with auditlog.DecisionLog(path, create=False) as log:
        return list(log.entries())


def _post_concurrently(url: str, cases: list[dict[str, Any]]) -> list[httpx.Response]:
    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            return await asyncio.gather(*(http.post("/v1/decisions", json=c) for c in cases))
    return asyncio.run(post_all())


def test_every_decision_served_is_logged_and_the_chain_verifies(url: str, log_path: Path, book: engine.Rulebook) -> None:
    before = len(_entries(log_path))
    cases = [{**case_data(p), "case": f"logged-{i}-{p.stem}"} for i in range(4) for p in EXAMPLES]
    responses = _post_concurrently(url, cases)
    assert all(r.status_code == 200 for r in responses)
    new = _entries(log_path)[before:]
    logged = {json.loads(e.content)["decision"]["case"]: json.loads(e.content)["decision"] for e in new}
    assert len(new) == len(cases) and set(logged) == {c["case"] for c in cases}
    for case, response in zip(cases, responses):
        assert logged[case["case"]]["case_digest"] == response.json()["case_digest"]
    assert auditlog.verify(log_path).ok


def test_workers_share_one_log_and_its_chain(tmp_path: Path) -> None:
    log = tmp_path / "shared.db"
    cases = [{**case_data(p), "case": f"shared-{i}-{p.stem}"} for i in range(5) for p in EXAMPLES]
    with serving.running("--workers", "2", "--log", str(log), cwd=ROOT) as base:
        assert all(r.status_code == 200 for r in _post_concurrently(base, cases))
    logged = [json.loads(e.content)["decision"]["case"] for e in _entries(log)]
    assert sorted(logged) == sorted(c["case"] for c in cases)
    assert auditlog.verify(log).ok


# -- bounds ----------------------------------------------------------------------------------

def test_a_case_past_its_time_bound_is_cut_off_with_a_504() -> None:
    with serving.running(env={"PARAGRAF_SERVE_CASE_SECONDS": "0.000001"}, cwd=ROOT) as base:
        with httpx.Client(base_url=base, timeout=60) as http:
            problem = assert_problem(http.post("/v1/decisions", json=case_data(HILLEROD)), 504)
            assert problem["type"].endswith("/timeout")
            still_serving(http)


# -- the documentation's examples and the container ------------------------------------------

SERVICE_PAGE = ROOT / "docs" / "service.md"


def _block(language: str, containing: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", SERVICE_PAGE.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if containing in block)


def test_the_curl_example_runs(url: str) -> None:
    command = _block("sh", "curl -s").replace("http://127.0.0.1:8000", url)
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.startswith("# Decision: case demo")
    assert "`lab.kontaktforloeb.fire_samtaler`" in result.stdout


def test_the_httpx_example_runs(url: str) -> None:
    script = _block("python", "import httpx").replace("http://127.0.0.1:8000", url)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert "lab.kontaktforloeb.fire_samtaler exempted None" in result.stdout.splitlines()


DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_dockerfile_serves_on_every_interface_from_a_slim_python() -> None:
    instructions = [line.split(None, 1) for line in DOCKERFILE.splitlines() if line and not line.startswith(("#", " "))]
    assert instructions[0][0] == "FROM" and re.fullmatch(r"python:3\.\d+-slim\s*", instructions[0][1])
    command = json.loads(next(rest for keyword, rest in instructions if keyword == "CMD"))
    assert command[:2] == ["paragraf", "serve"] and command[command.index("--host") + 1] == "0.0.0.0"
    assert "pip install ." in DOCKERFILE


def test_what_the_dockerfile_copies_builds_a_wheel_with_the_service(tmp_path: Path) -> None:
    """The image is not built here (no Docker daemon, no registry but the package index); the
    files its COPY lines take are enough for `pip install .` to make a wheel holding the service
    and the bundled rulebook."""
    source = tmp_path / "src"
    source.mkdir()
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY "):
            for name in line.split()[1:-1]:  # every COPY keeps the name: `COPY a b ./`, `COPY engine ./engine`
                if (ROOT / name).is_dir():
                    shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(ROOT / name, source / name)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
                             str(source)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    with zipfile.ZipFile(next((tmp_path / "wheel").glob("paragraf-*.whl"))) as wheel:
        names = set(wheel.namelist())
    assert {"engine/interfaces/service/app.py", "engine/interfaces/cli/serve.py", "engine/data/rules/lab/kontaktforloeb_2019.yaml"} <= names


def test_an_unexpected_error_is_logged_and_answered_with_a_plain_500(caplog: pytest.LogCaptureFixture) -> None:
    from engine.interfaces.service import create_app

    app = create_app()

    @app.get("/v1/broken")
    async def broken() -> None:
        raise RuntimeError("a secret detail of the server")

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://paragraf") as http:
            return await http.get("/v1/broken"), await http.get("/v1/health")
    response, health = asyncio.run(ask())
    problem = assert_problem(response, 500)
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert problem["type"].endswith("/internal") and health.status_code == 200
    assert any("secret" in (record.exc_text or "") for record in caplog.records)


def test_paragraf_serve_serves_the_web_page_beside_the_api(client: httpx.Client) -> None:
    """The app `paragraf serve` runs includes the web page at `/` and its stylesheet."""
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/static/web.css"' in page.text or "/static/web.css" in page.text
    assert client.get("/static/web.css").status_code == 200
    assert client.get("/law/rules/lab.kontaktforloeb.fire_samtaler").status_code == 200
