"""Ray Data, when Ray is installed (it is optional in CI: a large wheel)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import dechaff
from conftest import ROOT, assert_cleaned_rows, records, write_jsonl


def test_map_batches_with_the_callable_class():
    ray = pytest.importorskip("ray")
    pytest.importorskip("pyarrow")
    from dechaff.ray import DechaffMapper

    rows = records(200)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        ds = ray.data.from_items(rows).map_batches(
            DechaffMapper,
            batch_format="pyarrow",
            batch_size=64,
            compute=ray.data.ActorPoolStrategy(size=2),
            fn_constructor_kwargs={"headline": False},
        )
        out = {r["id"]: r for r in ds.take_all()}
    finally:
        ray.shutdown()
    # The constructor's keyword arguments reach the actors' Cleaner.
    cleaner = dechaff.Cleaner(headline=False)
    assert len(out) == len(rows)
    for row in rows:
        assert out[row["id"]]["text"] == cleaner.clean(row["text"]).text


def test_ray_recipe_on_3000_records(tmp_path):
    """examples/ray_clean.py end to end, JSON Lines in, Parquet out, with as
    many actors as CPUs: the configuration that hung when the actors held
    every CPU and the read task got none."""
    pytest.importorskip("ray")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 3000
    rows = records(n)
    rows[5]["text"] = None
    write_jsonl(tmp_path / "in.jsonl", rows)
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "ray_clean.py"), str(tmp_path / "in.jsonl"),
         str(tmp_path / "out"), "--actors", str(os.cpu_count() or 1)],
        env=dict(os.environ, RAY_DATA_DISABLE_PROGRESS_BARS="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert f"{n} rows cleaned" in run.stdout
    got = {r["id"]: r for r in pq.read_table(tmp_path / "out").to_pylist()}
    assert len(got) == n
    assert all(got[row["id"]]["page"] == row["page"] for row in rows)
    assert_cleaned_rows(rows, got)
    # A second run into the same directory would add files and count both.
    again = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "ray_clean.py"), str(tmp_path / "in.jsonl"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode != 0 and "is not empty" in again.stderr
