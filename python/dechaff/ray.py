"""Ray Data: clean a text column with ``map_batches(batch_format="pyarrow")``.

    import ray
    from dechaff.ray import DechaffMapper

    ds = ray.data.read_json("pages.jsonl")
    ds = ds.map_batches(DechaffMapper, batch_format="pyarrow",
                        compute=ray.data.ActorPoolStrategy(size=2))
    ds.write_parquet("clean/")

``DechaffMapper`` is a callable class, so each Ray actor builds its Cleaner
once and reuses it for every batch. Actors are started first, so a pool
that holds every CPU leaves the read tasks none and the dataset hangs
(ray-project/ray#44687): keep the pool smaller than the CPUs, or let reading
and writing reserve none, as ``examples/ray_clean.py`` does
(``ray_remote_args={"num_cpus": 0}``).
"""

from __future__ import annotations

from typing import Optional

from . import Cleaner


class DechaffMapper:
    """Cleans ``column`` of each ``pyarrow.Table`` batch; keyword arguments
    other than those below go to ``Cleaner`` (``lang``, ``rules``,
    ``min_kept``, ``encoding``, ``headline``)."""

    def __init__(
        self,
        column: str = "text",
        prefix: str = "dechaff_",
        removals: bool = False,
        threads: int = 1,
        **cleaner_options,
    ):
        self.cleaner = Cleaner(**cleaner_options)
        self.column = column
        self.prefix = prefix
        self.removals = removals
        self.threads = threads

    def __call__(self, table):
        import pyarrow as pa

        batches = [
            self.cleaner.clean_arrow(
                b, self.column, removals=self.removals, prefix=self.prefix, threads=self.threads
            )
            for b in table.to_batches()
        ]
        if not batches:
            empty = pa.RecordBatch.from_pylist([], schema=table.schema)
            batches = [
                self.cleaner.clean_arrow(
                    empty, self.column, removals=self.removals, prefix=self.prefix, threads=self.threads
                )
            ]
        return pa.Table.from_batches(batches)
