"""Clean the text column of JSON Lines with dechaff on Ray Data and write
Parquet.

    python examples/ray_clean.py pages.jsonl clean/            # a local Ray
    RAY_ADDRESS=auto python examples/ray_clean.py s3://in/ s3://out/   # a cluster

Each actor (a DechaffMapper, a callable class) builds its Cleaner once and
cleans whole pyarrow batches with it. The pool has a fixed size
(``--actors``, one CPU each); reading and writing reserve no CPU, so a
pool as large as the machine still leaves them room to run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ray

from dechaff.ray import DechaffMapper

# Ray Data starts the actors first: if they hold every CPU slot, the read
# tasks never get one and the dataset hangs (ray-project/ray#44687; seen
# here with 2 actors on 2 CPUs). Reading and writing Parquet are light next
# to cleaning, and Ray Data still backpressures them by object-store use.
IO_TASKS = {"num_cpus": 0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input")
    p.add_argument("output", help="Parquet directory to write (a local one must be new or empty)")
    p.add_argument("--column", default="text")
    p.add_argument("--lang")
    p.add_argument("--no-headline", action="store_true", help="drop the article's headline too, as the CLI's --no-headline")
    p.add_argument("--actors", type=int, default=2, help="cleaning actors (one core each)")
    args = p.parse_args()

    # write_parquet adds files to what is there, so the row count below
    # would include an earlier run's.
    out = Path(args.output)
    if "://" not in args.output and out.exists() and any(out.iterdir()):
        raise SystemExit(f"ray_clean: {args.output} is not empty: remove it or name a new directory")

    started = time.perf_counter()
    ds = ray.data.read_json(args.input, ray_remote_args=IO_TASKS)
    ds = ds.map_batches(
        DechaffMapper,
        fn_constructor_kwargs={"column": args.column, "lang": args.lang, "headline": not args.no_headline},
        batch_format="pyarrow",
        batch_size=256,
        compute=ray.data.ActorPoolStrategy(size=args.actors),
        num_cpus=1,
    )
    ds.write_parquet(args.output, ray_remote_args=IO_TASKS)
    elapsed = time.perf_counter() - started
    rows = ray.data.read_parquet(args.output).count()
    print(f"dechaff: {rows} rows cleaned into {args.output} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
