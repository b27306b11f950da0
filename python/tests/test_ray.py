"""Ray Data, when Ray is installed (it is optional in CI: a large wheel)."""

from __future__ import annotations

import dechaff
from conftest import records

import pytest


def test_map_batches_with_the_callable_class():
    ray = pytest.importorskip("ray")
    pytest.importorskip("pyarrow")
    from dechaff.ray import DechaffMapper

    rows = records(200)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        ds = ray.data.from_items(rows).map_batches(
            DechaffMapper, batch_format="pyarrow", batch_size=64, concurrency=2
        )
        out = {r["id"]: r for r in ds.take_all()}
    finally:
        ray.shutdown()
    cleaner = dechaff.Cleaner()
    assert len(out) == len(rows)
    for row in rows:
        assert out[row["id"]]["text"] == cleaner.clean(row["text"]).text
