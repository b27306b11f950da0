"""Hugging Face datasets: ``Dataset.map(dechaff.hf.clean_batch, batched=True)``."""

from __future__ import annotations

from functools import partial

import dechaff
import dechaff.hf
from conftest import need, records


def test_dataset_map(tmp_path):
    datasets = need("datasets")
    rows = records(120)
    rows[7]["text"] = None
    ds = datasets.Dataset.from_list(rows)
    out = ds.map(dechaff.hf.clean_batch, batched=True, batch_size=32)
    assert out.num_rows == len(rows)
    cleaner = dechaff.Cleaner()
    for row, got in zip(rows, out):
        assert got["id"] == row["id"]
        if row["text"] is None:
            assert got["text"] is None and got["dechaff_lang"] is None
            continue
        want = cleaner.clean(row["text"])
        assert got["text"] == want.text
        assert got["dechaff_lang"] == want.lang
        assert got["dechaff_removed_chars"] == want.removed_chars
    # Options through partial; the Cleaner pickles, so datasets can hash it.
    forced = ds.map(partial(dechaff.hf.clean_batch, cleaner=dechaff.Cleaner(lang="common"), prefix="x_"), batched=True)
    assert set(forced["x_lang"]) == {"common", None}
