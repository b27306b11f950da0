"""Clean the text column of JSON Lines or Parquet with dechaff on Spark and
write Parquet.

    PYSPARK_PYTHON=python3 spark-submit --master local[2] examples/spark_clean.py pages.jsonl clean/
    spark-submit --master yarn --deploy-mode cluster examples/spark_clean.py s3://bucket/wet/ s3://bucket/clean/

The input format follows the path (``.parquet`` or a directory of Parquet
files, else JSON Lines) unless --format says otherwise. Every other column
passes through; dechaff adds dechaff_lang, dechaff_script and
dechaff_removed_chars (and dechaff_removed with --removals). Each executor
needs the dechaff package (``pip install ./python``, or ship a wheel with
--py-files / a conda-pack archive).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyspark.sql import SparkSession

import dechaff
from dechaff.spark import clean_dataframe


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="JSON Lines file or directory, or Parquet")
    p.add_argument("output", help="Parquet directory to write (replaced if it exists)")
    p.add_argument("--format", choices=["json", "parquet"], help="input format (default: by path)")
    p.add_argument("--column", default="text", help="the text column (default: text)")
    p.add_argument("--lang", help="use this language's rules instead of detecting (ISO 639-3)")
    p.add_argument("--rules", help="a directory of rule files, as the CLI's --rules")
    p.add_argument("--min-kept", type=float, default=dechaff.DEFAULT_MIN_KEPT)
    p.add_argument("--no-headline", action="store_true", help="drop the article's headline too, as the CLI's --no-headline")
    p.add_argument("--removals", action="store_true", help="add the removals as a list column")
    p.add_argument("--partitions", type=int, help="repartition the input into this many tasks")
    args = p.parse_args()

    fmt = args.format
    if fmt is None:
        path = Path(args.input)
        is_parquet = args.input.endswith(".parquet") or (path.is_dir() and any(path.glob("*.parquet")))
        fmt = "parquet" if is_parquet else "json"

    # Built on the driver, so a bad rule file or language fails here; each
    # task gets a pickled copy that rebuilds the engine on first use.
    cleaner = dechaff.Cleaner(
        lang=args.lang, rules=args.rules, min_kept=args.min_kept, headline=not args.no_headline
    )

    spark = SparkSession.builder.appName("dechaff").getOrCreate()
    started = time.perf_counter()
    df = spark.read.parquet(args.input) if fmt == "parquet" else spark.read.json(args.input)
    if args.partitions:
        df = df.repartition(args.partitions)
    clean_dataframe(df, column=args.column, cleaner=cleaner, removals=args.removals).write.mode(
        "overwrite"
    ).parquet(args.output)
    elapsed = time.perf_counter() - started
    rows = spark.read.parquet(args.output).count()
    print(f"dechaff: {rows} rows cleaned into {args.output} in {elapsed:.1f} s")
    spark.stop()


if __name__ == "__main__":
    main()
