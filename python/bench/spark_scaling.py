"""The Spark recipe's throughput at local[1] and local[2], next to the
machine's own two-process ratio (two single-threaded CLI runs at once
against one alone), in one run.

    python python/bench/spark_scaling.py --mb 50

Each master runs in a Python process of its own with one Spark session.
A warm-up job cleans one copy of the dev pages first, so that starting
the JVM's first job, the Python workers and the rule compilation in each
of them (several seconds, the same for any input size) are left out; the
timed job is then the recipe of examples/spark_clean.py on the whole
input: read Parquet, repartition into --partitions tasks,
`dechaff.spark.clean_dataframe`, write Parquet. The input is Parquet,
written here with pyarrow, because JSON Lines would add a schema-inference
pass over the whole input; the CLI gets the same documents as JSON Lines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import cli_binary, dev_pages, repeated, write_jsonl


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def spark_job(master: str, src: str, warm: str, out: str, partitions: int) -> None:
    """Runs in the child process: prints the timed job's seconds as JSON."""
    from pyspark.sql import SparkSession

    import dechaff
    from dechaff.spark import clean_dataframe

    spark = (
        SparkSession.builder.master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    cleaner = dechaff.Cleaner()
    clean_dataframe(spark.read.parquet(warm).repartition(partitions), cleaner=cleaner).write.format(
        "noop"
    ).mode("overwrite").save()
    started = time.perf_counter()
    df = spark.read.parquet(src).repartition(partitions)
    clean_dataframe(df, cleaner=cleaner).write.mode("overwrite").parquet(out)
    seconds = time.perf_counter() - started
    rows = spark.read.parquet(out).count()
    spark.stop()
    print(json.dumps({"seconds": seconds, "rows": rows}))


def spark(master: str, src: Path, warm: Path, out: Path, partitions: int, docs: int) -> float:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    run = subprocess.run(
        [sys.executable, __file__, "--spark-job", master, str(src), str(warm), str(out), str(partitions)],
        env=env, capture_output=True, text=True,
    )
    try:
        got = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise SystemExit(f"spark {master} failed:\n{run.stdout}{run.stderr[-3000:]}") from None
    if got["rows"] != docs:
        raise SystemExit(f"spark {master} wrote {got['rows']} rows of {docs}")
    return got["seconds"]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--spark-job":
        master, src, warm, out, partitions = sys.argv[2:7]
        spark_job(master, src, warm, out, int(partitions))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=50.0)
    p.add_argument("--partitions", type=int, default=8, help="Spark tasks (default 8)")
    args = p.parse_args()
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = repeated(args.mb)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    cli = cli_binary()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in.jsonl"
        write_jsonl(src, docs)
        parquet = tmp / "in.parquet"
        pq.write_table(pa.table({"id": list(range(len(docs))), "text": docs}), parquet)
        warm = tmp / "warm.parquet"
        pages = dev_pages()
        pq.write_table(pa.table({"id": list(range(len(pages))), "text": pages}), warm)
        print(f"{len(docs)} documents, {mb:.1f} MB, {load()}", flush=True)

        def cli_run(i: int):
            return subprocess.Popen([cli, "--jsonl", str(src), "-o", str(tmp / f"cli{i}.jsonl"), "-j", "1", "-q"])

        t = time.perf_counter()
        cli_run(0).wait()
        one = time.perf_counter() - t
        t = time.perf_counter()
        procs = [cli_run(1), cli_run(2)]
        for pr in procs:
            pr.wait()
        two = time.perf_counter() - t
        machine = 2 * one / two
        print(f"CLI -j 1 alone: {mb / one:.1f} MB/s; two at once: {2 * mb / two:.1f} MB/s together; "
              f"two-process ratio {machine:.2f}", flush=True)

        s1 = spark("local[1]", parquet, warm, tmp / "s1", args.partitions, len(docs))
        print(f"spark local[1]: {len(docs) / s1:,.0f} docs/s, {mb / s1:.1f} MB/s ({s1:.1f} s)", flush=True)
        s2 = spark("local[2]", parquet, warm, tmp / "s2", args.partitions, len(docs))
        print(f"spark local[2]: {len(docs) / s2:,.0f} docs/s, {mb / s2:.1f} MB/s ({s2:.1f} s); "
              f"ratio {s1 / s2:.2f}", flush=True)
        print(f"spark's ratio is {s1 / s2 / machine:.2f} of the machine's; {load()}")


if __name__ == "__main__":
    main()
