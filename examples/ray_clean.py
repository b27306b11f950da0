"""Clean the text column of JSON Lines with dechaff on Ray Data and write
Parquet.

    python examples/ray_clean.py pages.jsonl clean/            # a local Ray
    RAY_ADDRESS=auto python examples/ray_clean.py s3://in/ s3://out/   # a cluster

Each actor (a DechaffMapper, a callable class) builds its Cleaner once and
cleans whole pyarrow batches with it.
"""

from __future__ import annotations

import argparse

import ray

from dechaff.ray import DechaffMapper


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--column", default="text")
    p.add_argument("--lang")
    p.add_argument("--no-headline", action="store_true", help="drop the article's headline too, as the CLI's --no-headline")
    p.add_argument("--actors", type=int, default=2, help="cleaning actors (one core each)")
    args = p.parse_args()

    ds = ray.data.read_json(args.input)
    ds = ds.map_batches(
        DechaffMapper,
        fn_constructor_kwargs={"column": args.column, "lang": args.lang, "headline": not args.no_headline},
        batch_format="pyarrow",
        batch_size=256,
        concurrency=args.actors,
        num_cpus=1,
    )
    ds.write_parquet(args.output)
    print(f"dechaff: {ray.data.read_parquet(args.output).count()} rows cleaned into {args.output}")


if __name__ == "__main__":
    main()
