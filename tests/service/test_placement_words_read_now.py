"""A walk analysed before the placement check's advice changed keeps the old words in its stored notes ("delete this
walk and upload the file again", which unlinks its pain reports for good). Its page reads them as the advice reads
now (the walk page's "Analyse as another placement"), without analysing every walk again for a wording change; its
export keeps the analysis' notes as they were stored."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from gait.analysis import REANALYSE_PLACEMENT_WORDS
from service.store import Store
from tests.service.test_reanalysis import SAMPLES, upload

OLD_TRUNK_ADVICE = (
    "if it was on a shoe or in a pocket, analyse it again as foot or pocket: on the dashboard delete this walk and "
    "upload the file again with that placement (command line: gait analyze --placement foot)"
)
OLD_FOOT_ADVICE = (
    "if it was on the lower back or waist, analyse it again with that placement: on the dashboard delete this walk "
    "and upload the file again with it (command line: gait analyze --placement lower_back)"
)


def test_a_walks_stored_placement_advice_reads_as_it_does_now(client: TestClient, store: Store) -> None:
    walk = upload(client, SAMPLES / "gaitmap_left_foot.csv", placement="lower_back")
    notes = client.get(f"/api/walks/{walk['id']}").json()["notes"]
    (check,) = [n for n in notes if n.startswith("placement check")]
    assert REANALYSE_PLACEMENT_WORDS in check and "delete" not in check, check
    old = [f"placement check: far faster than a trunk sensor; {OLD_TRUNK_ADVICE}", f"x; {OLD_FOOT_ADVICE}"]
    with store.write() as conn:  # as the previous version stored them
        conn.execute("UPDATE walks SET notes_json = ? WHERE id = ?", (json.dumps(old), walk["id"]))
    read = client.get(f"/api/walks/{walk['id']}").json()["notes"]
    assert not any("delete this walk" in n for n in read), read
    assert read[0].endswith(
        f'analyse it again as foot or pocket: on the dashboard, "{REANALYSE_PLACEMENT_WORDS}" on the walk\'s page '
        "(command line: gait analyze --placement foot or --placement pocket)"
    ), read[0]
    assert read[1].endswith(
        f'with that placement: on the dashboard, "{REANALYSE_PLACEMENT_WORDS}" on the walk\'s page (command line: '
        "gait analyze --placement lower_back or --placement waist)"
    ), read[1]
