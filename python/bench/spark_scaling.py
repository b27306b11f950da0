"""The Spark recipe's throughput at local[1] and local[2], next to the
machine's own two-process ratio (two single-threaded CLI runs at once
against one alone), in one run.

    python python/bench/spark_scaling.py --mb 50
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, cli_binary, repeated, write_jsonl


def spark(master: str, src: Path, out: Path, partitions: int) -> float:
    submit = Path(sys.executable).parent / "spark-submit"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    run = subprocess.run(
        [str(submit), "--master", master, "--conf", "spark.ui.enabled=false", "--driver-memory", "2g",
         str(ROOT / "examples" / "spark_clean.py"), str(src), str(out), "--partitions", str(partitions)],
        env=env, capture_output=True, text=True, check=True,
    )
    m = re.search(r"in ([\d.]+) s", run.stdout)
    if not m:
        raise SystemExit(run.stdout + run.stderr[-3000:])
    return float(m.group(1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=50.0)
    args = p.parse_args()
    docs = repeated(args.mb)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    cli = cli_binary()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in.jsonl"
        write_jsonl(src, docs)
        print(f"{len(docs)} documents, {mb:.1f} MB", flush=True)

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
        print(f"CLI -j 1 alone: {mb / one:.1f} MB/s; two at once: {2 * mb / two:.1f} MB/s together; "
              f"two-process ratio {2 * one / two:.2f}", flush=True)

        s1 = spark("local[1]", src, tmp / "s1", 8)
        print(f"spark local[1]: {len(docs) / s1:,.0f} docs/s, {mb / s1:.1f} MB/s ({s1:.1f} s)", flush=True)
        s2 = spark("local[2]", src, tmp / "s2", 8)
        print(f"spark local[2]: {len(docs) / s2:,.0f} docs/s, {mb / s2:.1f} MB/s ({s2:.1f} s); "
              f"ratio {s1 / s2:.2f}", flush=True)


if __name__ == "__main__":
    main()
