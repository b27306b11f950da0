"""Documents/s and MB/s of dechaff from Python (clean, clean_batch,
clean_arrow), of the CLI on the same documents, and of datatrove's
C4QualityFilter, in one run.

    python python/bench/throughput.py            # about 200 MB
    python python/bench/throughput.py --mb 50

Reads the dev pages from ../shared/bench (or $DECHAFF_BENCH) in place.
The C4 comparison needs `pip install regex spacy` besides datatrove.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import dechaff
from common import cli_binary, repeated, write_jsonl


def report(name: str, docs: int, mb: float, seconds: float) -> None:
    print(f"{name:<34} {docs / seconds:>10,.0f} docs/s {mb / seconds:>8.1f} MB/s  ({seconds:.1f} s)", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=200.0, help="MB of text per method (default 200)")
    p.add_argument("--batch-rows", type=int, default=2048, help="rows per Arrow batch")
    p.add_argument("--skip-c4", action="store_true")
    p.add_argument("--skip-cli", action="store_true", help="no CLI run (it needs a release build)")
    args = p.parse_args()

    docs = repeated(args.mb)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    cores = os.cpu_count() or 1
    print(f"{len(docs)} documents, {mb:.1f} MB, {cores} cores, dechaff {dechaff.__version__}", flush=True)
    cleaner = dechaff.Cleaner()
    cleaner.clean(docs[0])  # compile the rule sets outside the timings

    t = time.perf_counter()
    for d in docs:
        cleaner.clean(d)
    report("Cleaner.clean (loop)", len(docs), mb, time.perf_counter() - t)

    for threads in (1, cores):
        t = time.perf_counter()
        for i in range(0, len(docs), args.batch_rows):
            cleaner.clean_batch(docs[i : i + args.batch_rows], threads=threads)
        report(f"Cleaner.clean_batch threads={threads}", len(docs), mb, time.perf_counter() - t)

    import pyarrow as pa

    batches = [
        pa.RecordBatch.from_pydict({"text": docs[i : i + args.batch_rows]})
        for i in range(0, len(docs), args.batch_rows)
    ]
    for threads in (1, cores):
        t = time.perf_counter()
        for b in batches:
            cleaner.clean_arrow(b, threads=threads)
        report(f"Cleaner.clean_arrow threads={threads}", len(docs), mb, time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        cli = None if args.skip_cli else cli_binary()
        src = Path(tmp) / "in.jsonl"
        write_jsonl(src, docs)
        for jobs in (1, cores) if cli else ():
            t = time.perf_counter()
            subprocess.run([cli, "--jsonl", str(src), "-o", str(Path(tmp) / "out.jsonl"), "-j", str(jobs), "-q"], check=True)
            report(f"CLI --jsonl -j {jobs} (Rust, JSON in/out)", len(docs), mb, time.perf_counter() - t)

    if not args.skip_c4:
        from datatrove.data import Document
        from datatrove.pipeline.filters import C4QualityFilter

        c4 = C4QualityFilter()
        documents = [Document(text=d, id=str(i)) for i, d in enumerate(docs)]
        t = time.perf_counter()
        for doc in documents:
            c4.filter(doc)
        report("datatrove C4QualityFilter (1 proc)", len(docs), mb, time.perf_counter() - t)


if __name__ == "__main__":
    main()
