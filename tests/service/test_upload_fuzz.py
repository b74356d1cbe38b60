"""Fuzzing the upload endpoint: any bytes give 201 or a clear 4xx (409 for a recording already stored), never a 500,
and a refusal stores nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.app import create_app
from service.deps import get_store
from service.settings import Settings
from service.store import Store
from tests.service.conftest import count_rows

HEADER = "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n"
cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.sampled_from(["", "x", "1e400", "-", "NaN", "9.81", "0,0"]),
)
csv_text = st.lists(st.lists(cell, min_size=1, max_size=5).map(",".join), max_size=40).map(
    lambda rows: HEADER + "\n".join(rows)
)
payload = st.one_of(st.binary(max_size=2000), csv_text.map(str.encode))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=payload, name=st.sampled_from(["a.csv", "b.zip", "c.csv.gz", "export.xml", "x.txt", "../../etc"]))
def test_any_upload_is_stored_or_refused_cleanly(tmp_path: Path, content: bytes, name: str) -> None:
    store = Store(tmp_path / "fuzz.sqlite3").open()
    app = create_app(Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "none"))
    app.dependency_overrides[get_store] = lambda: store
    try:
        before = count_rows(store, "walks")
        with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
            r = client.post("/api/uploads", files={"file": (name, content)}, data={"placement": "lower_back"})
        # 409: the same samples as an earlier example's stored walk (the store outlives one example)
        assert r.status_code in (201, 409, 413, 422), r.text
        if r.status_code == 409:
            assert "already stored as walk" in r.json()["detail"]
        if r.status_code != 201:
            assert isinstance(r.json()["detail"], str) and count_rows(store, "walks") == before
        assert store.integrity_check() == "ok"
    finally:
        store.close()
