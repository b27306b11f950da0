"""A real datatrove run: JsonlReader -> DechaffCleaner -> JsonlWriter on a
LocalPipelineExecutor, over records made from the repository's pages."""

from __future__ import annotations

import gzip
import json
import pickle

import dechaff
from conftest import need, records, write_jsonl


def test_local_pipeline_executor(tmp_path):
    need("datatrove")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from dechaff.datatrove import DechaffCleaner

    rows = records(300)
    # Pages that are all whitespace clean to nothing and must be dropped.
    for i in range(0, 300, 25):
        rows[i]["text"] = " \n\t\n  \n"
    (tmp_path / "in").mkdir()
    write_jsonl(tmp_path / "in" / "part-0.jsonl", rows[:150])
    write_jsonl(tmp_path / "in" / "part-1.jsonl", rows[150:])
    step = DechaffCleaner(batch_size=16)
    pickle.loads(pickle.dumps(step))  # what the executor does to ship it
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            step,
            JsonlWriter(str(tmp_path / "out")),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()

    out = []
    for path in sorted((tmp_path / "out").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out += [json.loads(line) for line in f]
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    mine = next(s for s in stats if "dechaff" in s["name"])["stats"]
    dropped = mine["dropped_empty"]["total"] if isinstance(mine["dropped_empty"], dict) else mine["dropped_empty"]
    total = mine["total"]["total"] if isinstance(mine["total"], dict) else mine["total"]
    # The reader itself skips records whose text is empty.
    documents_in = sum(1 for r in rows if r["text"])
    assert documents_in >= 280
    assert total == documents_in
    assert dropped == 12
    assert len(out) + dropped == documents_in

    cleaner = dechaff.Cleaner()
    by_id = {r["id"]: r for r in rows}
    assert len({d["id"] for d in out}) == len(out)
    for d in out:
        want = cleaner.clean(by_id[d["id"]]["text"])
        assert d["text"] == want.text
        assert d["metadata"]["dechaff_lang"] == want.lang
        assert d["metadata"]["dechaff_removed_chars"] == want.removed_chars
        assert d["metadata"]["n"] == by_id[d["id"]]["n"]
