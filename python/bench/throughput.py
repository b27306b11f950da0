"""Documents/s and MB/s of dechaff from Python (clean, clean_batch,
clean_arrow), of the CLI, of dechaff in-process in Rust and of datatrove's
C4QualityFilter, on the same documents in one run, with a final table
comparing each path to the in-process Rust speed.

    python python/bench/throughput.py            # about 200 MB
    python python/bench/throughput.py --mb 20    # a trial run

Reads the dev pages from ../shared/bench (or $DECHAFF_BENCH) in place and
repeats them to the size asked. Builds the release CLI and the
`throughput_inprocess` example (`cargo build --release`), unless
$DECHAFF_BIN / $DECHAFF_INPROCESS name them.

The in-process Rust reference (examples/throughput_inprocess.rs) reads the
JSON Lines written here, cleans each distinct page once to compile the rule
sets, and times only its cleaning loop over the records (`clean_bytes`; on
more threads a rayon `par_iter`); it must keep as many bytes as
`clean_arrow` did, or the run fails. Its speed at the same thread count is
the yardstick: the goal is `clean_arrow` within 10% of it.

C4QualityFilter is run as FineWeb's pipeline configures it (datatrove's
examples/fineweb.py: `filter_no_terminal_punct=False`, the other options at
their defaults, so the English tokenizer, a blank spaCy "en" pipeline with
its sentencizer: no model download), one process. It needs
`pip install regex spacy` besides datatrove. The dev pages are
multilingual and FineWeb runs C4 on English pages only, so this compares
speed, not what is kept. It ran at about 0.6 MB/s in a trial, so it takes
several minutes on the default 200 MB (`--skip-c4` leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import dechaff
from common import cli_binary, release_example, repeated, write_jsonl


class Results:
    """The timed paths, in order, printed as they finish and again as the
    final table."""

    def __init__(self, docs: int, mb: float):
        self.docs = docs
        self.mb = mb
        self.rows: list[tuple[str, int, float]] = []

    def add(self, name: str, threads: int, seconds: float) -> None:
        self.rows.append((name, threads, seconds))
        print(
            f"{name:<40} {self.docs / seconds:>10,.0f} docs/s {self.mb / seconds:>8.1f} MB/s  ({seconds:.1f} s)",
            flush=True,
        )

    def seconds(self, name: str) -> float | None:
        return next((s for n, _, s in self.rows if n == name), None)

    def table(self, reference: dict[int, float]) -> None:
        """The Markdown table: each path against the in-process Rust run
        with as many threads (C4 and the one-thread paths against one)."""
        print()
        print("| path | docs/s | MB/s | / in-process Rust |")
        print("|---|---:|---:|---:|")
        for name, threads, seconds in self.rows:
            ref = reference.get(threads)
            ratio = f"{ref / seconds:.2f} (vs {threads} thread{'s' if threads > 1 else ''})" if ref else "-"
            print(f"| {name} | {self.docs / seconds:,.0f} | {self.mb / seconds:.1f} | {ratio} |")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=200.0, help="MB of text per method (default 200)")
    p.add_argument("--batch-rows", type=int, default=2048, help="rows per Arrow batch")
    p.add_argument("--skip-c4", action="store_true")
    p.add_argument("--skip-cli", action="store_true", help="no CLI run (it needs a release build)")
    p.add_argument("--skip-rust", action="store_true", help="no in-process Rust reference (it needs a release build)")
    args = p.parse_args()

    docs = repeated(args.mb)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    cores = os.cpu_count() or 1
    thread_counts = sorted({1, cores})
    print(f"{len(docs)} documents, {mb:.1f} MB, {cores} cores, dechaff {dechaff.__version__}, {load()}", flush=True)
    # Build before timing anything, so that cargo does not share the cores
    # with a timed path.
    cli = None if args.skip_cli else cli_binary()
    inprocess = None if args.skip_rust else release_example("throughput_inprocess", "DECHAFF_INPROCESS")

    results = Results(len(docs), mb)
    cleaner = dechaff.Cleaner()
    # Each language's rule set compiles on first use, and the regex
    # engines' lazy DFA caches are per thread: clean every distinct page on
    # this thread, and each of them about once per thread of the pool (the
    # batch holds them once per thread, and the pool splits it about evenly),
    # so that no timed path pays for either. The Rust reference does the
    # same, on each of its threads exactly.
    distinct = list(dict.fromkeys(docs))
    for d in distinct:
        cleaner.clean(d)
    if cores > 1:
        cleaner.clean_batch(distinct * cores, threads=cores)

    t = time.perf_counter()
    for d in docs:
        cleaner.clean(d)
    results.add("Cleaner.clean (loop)", 1, time.perf_counter() - t)

    for threads in thread_counts:
        t = time.perf_counter()
        for i in range(0, len(docs), args.batch_rows):
            cleaner.clean_batch(docs[i : i + args.batch_rows], threads=threads)
        results.add(f"Cleaner.clean_batch threads={threads}", threads, time.perf_counter() - t)

    import pyarrow as pa
    import pyarrow.compute as pc

    batches = [
        pa.RecordBatch.from_pydict({"text": docs[i : i + args.batch_rows]})
        for i in range(0, len(docs), args.batch_rows)
    ]
    kept_bytes = None
    for threads in thread_counts:
        t = time.perf_counter()
        out = [cleaner.clean_arrow(b, threads=threads) for b in batches]
        results.add(f"Cleaner.clean_arrow threads={threads}", threads, time.perf_counter() - t)
        kept_bytes = sum(pc.sum(pc.binary_length(b.column("text"))).as_py() or 0 for b in out)
        del out

    reference: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        write_jsonl(src, docs)
        for jobs in thread_counts if cli else ():
            t = time.perf_counter()
            subprocess.run(
                [cli, "--jsonl", str(src), "-o", str(Path(tmp) / "out.jsonl"), "-j", str(jobs), "-q"], check=True
            )
            results.add(f"CLI --jsonl -j {jobs} (JSON in/out)", jobs, time.perf_counter() - t)
        for threads in thread_counts if inprocess else ():
            run = subprocess.run(
                [inprocess, str(src), "--threads", str(threads)], check=True, capture_output=True, text=True
            )
            got = json.loads(run.stdout)
            if (got["docs"], got["kept_bytes"]) != (len(docs), kept_bytes):
                raise SystemExit(
                    f"in-process Rust cleaned {got['docs']} documents to {got['kept_bytes']} bytes, "
                    f"clean_arrow {len(docs)} to {kept_bytes}: not the same work"
                )
            reference[threads] = got["seconds"]
            results.add(f"in-process Rust, threads={threads}", threads, got["seconds"])

    if not args.skip_c4:
        from datatrove.data import Document
        from datatrove.pipeline.filters import C4QualityFilter

        c4 = C4QualityFilter(filter_no_terminal_punct=False)
        # The first call loads spaCy and builds the tokenizer.
        c4.filter(Document(text=docs[0], id="warm-up"))
        # The filter rewrites doc.text, so every run needs its own Documents.
        documents = [Document(text=d, id=str(i)) for i, d in enumerate(docs)]
        t = time.perf_counter()
        kept = sum(c4.filter(doc) is True for doc in documents)
        results.add("datatrove C4QualityFilter (1 process)", 1, time.perf_counter() - t)
        print(f"  C4 kept {kept} of {len(docs)} documents", flush=True)

    results.table(reference)
    for threads in sorted(reference):
        arrow = results.seconds(f"Cleaner.clean_arrow threads={threads}")
        if arrow is None:
            continue
        share = reference[threads] / arrow
        verdict = "met" if share >= 0.9 else "not met"
        print(f"goal, clean_arrow within 10% of in-process Rust, threads={threads}: {share:.2f}, {verdict}")
    print(load())


if __name__ == "__main__":
    main()
