"""QA29: responses match the schema the OpenAPI document gives for them (what a client generated from it expects)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_errors(value: Any, schema: dict[str, Any], components: dict[str, Any], where: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (the parts of JSON Schema FastAPI writes: $ref, anyOf, type, properties,
    required, additionalProperties false, items); empty when it fits."""
    if "$ref" in schema:
        return schema_errors(value, components[schema["$ref"].rsplit("/", 1)[-1]], components, where)
    if "anyOf" in schema:
        tries = [schema_errors(value, s, components, where) for s in schema["anyOf"]]
        return [] if any(not t for t in tries) else [f"{where}: fits none of anyOf ({tries})"]
    kind = schema.get("type")
    if kind is not None:
        wanted = JSON_TYPES[kind]
        if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
            return [f"{where}: {type(value).__name__} is not {kind}"]
    errors = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{where}: {name} missing" for name in schema.get("required", []) if name not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{where}: {name} not documented" for name in value if name not in properties]
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], components, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value[:50]):
            errors += schema_errors(item, schema["items"], components, f"{where}[{i}]")
    return errors


def documented_200(client: TestClient, path: str, method: str = "get") -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema the OpenAPI document gives for a 200 of ``method path``, and the document's components."""
    document = client.get("/api/openapi.json").json()
    response = document["paths"][path][method]["responses"]["200"]
    return response["content"]["application/json"]["schema"], document["components"]["schemas"]


def test_strides_in_either_layout_match_their_documented_schema(client: TestClient, walk_csv: Path) -> None:
    # `layout=columns` (what the dashboard's charts load) answered an object of arrays where the document promised
    # only a list of stride rows: a client generated from the document failed to read it.
    with walk_csv.open("rb") as f:
        r = client.post("/api/uploads", files={"file": ("walk.csv", f)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walk_id = r.json()["walks"][0]["id"]
    schema, components = documented_200(client, "/api/walks/{walk_id}/strides")
    for layout in ("rows", "columns"):
        body = client.get(f"/api/walks/{walk_id}/strides", params={"layout": layout}).json()
        assert body, layout
        assert schema_errors(body, schema, components) == [], layout


HUGE_ID = 2**64  # past SQLite's 64-bit integers


def test_an_id_too_large_for_the_store_is_no_walk_not_a_server_error(client: TestClient) -> None:
    # GET /api/walks/49651104494047803465850159104 was a 500 (OverflowError binding the id to SQLite): the dashboard
    # said "The service could not do this (error 500)" for a walk address typed or pasted wrong.
    for walk_id in (HUGE_ID, -HUGE_ID):
        for method, path, body in (
            ("GET", f"/api/walks/{walk_id}", None),
            ("GET", f"/api/walks/{walk_id}/strides", None),
            ("GET", f"/api/walks/{walk_id}/export.csv", None),
            ("GET", f"/api/walks/{walk_id}/export.json", None),
            ("DELETE", f"/api/walks/{walk_id}", None),
            ("PATCH", f"/api/walks/{walk_id}", {"started_at": "2026-01-01T10:00:00Z"}),
            ("POST", f"/api/walks/{walk_id}/calibrate", {"distance_m": 400}),
            ("POST", f"/api/walks/{walk_id}/reanalyse", {}),
            ("DELETE", f"/api/pain/{walk_id}", None),
        ):
            r = client.request(method, path, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert f"no {'pain report' if '/pain/' in path else 'walk'} with id {walk_id}" in r.json()["detail"]
        r = client.post("/api/pain", json={"score": 3, "walk_id": walk_id})
        assert r.status_code == 422 and f"no walk with id {walk_id}" in r.json()["detail"], r.text


def test_a_page_past_every_walk_is_empty_however_far(client: TestClient) -> None:
    # GET /api/walks?offset=9223372036854775808 was a 500 (OverflowError): the offset one below it was an empty page
    for offset in (2**63 - 1, 2**63, HUGE_ID):
        r = client.get("/api/walks", params={"offset": offset})
        assert r.status_code == 200 and r.json() == [], (offset, r.text)
