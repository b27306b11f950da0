"""A real PySpark run: examples/spark_clean.py under spark-submit --master
local[2], JSON Lines in, Parquet out, checked row by row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, assert_cleaned_rows, need, records, write_jsonl

N = 3000


def spark_submit() -> str:
    pyspark = need("pyspark")
    found = Path(sys.executable).parent / "spark-submit"
    if found.exists():
        return str(found)
    return str(Path(pyspark.__file__).parent / "bin" / "spark-submit")


def test_spark_recipe_local_2(tmp_path):
    pq = need("pyarrow.parquet")
    submit = spark_submit()
    rows = records(N)
    rows[5]["text"] = None
    write_jsonl(tmp_path / "in.jsonl", rows)
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    run = subprocess.run(
        [
            submit,
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--driver-memory",
            "1g",
            str(ROOT / "examples" / "spark_clean.py"),
            str(tmp_path / "in.jsonl"),
            str(tmp_path / "out"),
            "--partitions",
            "4",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert f"{N} rows" in run.stdout
    table = pq.read_table(tmp_path / "out")
    assert table.num_rows == N
    got = {r["id"]: r for r in table.to_pylist()}
    assert len(got) == N
    assert_cleaned_rows(rows, got, script=True)
    shutil.rmtree(tmp_path / "out")
