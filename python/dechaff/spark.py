"""PySpark: clean a DataFrame's text column with ``mapInArrow``.

    from pyspark.sql import SparkSession
    from dechaff.spark import clean_dataframe

    spark = SparkSession.builder.getOrCreate()
    df = spark.read.json("pages.jsonl")
    clean_dataframe(df).write.parquet("clean/")

Spark does the distribution: each task streams its partition's Arrow
batches through one Cleaner (pickled to the worker, built there once) with
no Python object per row.
"""

from __future__ import annotations

from typing import Iterator, Optional

from . import Cleaner


def output_schema(schema, column: str = "text", prefix: str = "dechaff_", removals: bool = False):
    """The schema ``clean_dataframe`` produces from ``schema``: ``column``
    becomes a string column, and the dechaff columns are appended."""
    from pyspark.sql.types import (
        ArrayType,
        BinaryType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    if column not in schema.fieldNames():
        raise ValueError(f'no column "{column}" in the DataFrame (columns: {", ".join(schema.fieldNames())})')
    fields = []
    for f in schema.fields:
        if f.name == column:
            if not isinstance(f.dataType, (StringType, BinaryType)):
                raise TypeError(f'column "{column}" is {f.dataType.simpleString()}: expected string or binary')
            fields.append(StructField(column, StringType(), True, f.metadata))
        else:
            fields.append(f)
    fields += [
        StructField(f"{prefix}lang", StringType(), True),
        StructField(f"{prefix}script", StringType(), True),
        StructField(f"{prefix}removed_chars", LongType(), True),
    ]
    if removals:
        removal = StructType(
            [
                StructField("line", LongType(), False),
                StructField("action", StringType(), False),
                StructField("rule", StringType(), False),
                StructField("text", StringType(), False),
            ]
        )
        fields.append(StructField(f"{prefix}removed", ArrayType(removal, False), True))
    return StructType(fields)


def clean_dataframe(
    df,
    column: str = "text",
    cleaner: Optional[Cleaner] = None,
    prefix: str = "dechaff_",
    removals: bool = False,
    threads: int = 1,
):
    """Returns ``df`` with ``column`` cleaned and ``{prefix}lang``,
    ``{prefix}script``, ``{prefix}removed_chars`` (and, with ``removals``,
    ``{prefix}removed``) appended.

    ``threads`` is per Spark task: 1 by default, since Spark already runs one
    task per core.
    """
    cleaner = cleaner if cleaner is not None else Cleaner()
    schema = output_schema(df.schema, column, prefix, removals)

    def clean_partition(batches: Iterator) -> Iterator:
        for batch in batches:
            yield cleaner.clean_arrow(batch, column, removals=removals, prefix=prefix, threads=threads)

    return df.mapInArrow(clean_partition, schema)
