"""A datatrove pipeline step that cleans ``doc.text`` with dechaff.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from dechaff.datatrove import DechaffCleaner

    LocalPipelineExecutor(
        pipeline=[JsonlReader("in/"), DechaffCleaner(), JsonlWriter("out/")],
        tasks=4,
    ).run()
"""

from __future__ import annotations

from typing import Optional

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from . import Cleaner


class DechaffCleaner(PipelineStep):
    """Replaces each document's text by its clean body.

    Adds ``dechaff_lang``, ``dechaff_script``, ``dechaff_lang_confidence``,
    ``dechaff_removed_chars`` and ``dechaff_safety_net`` (True when the page
    was kept whole) to ``doc.metadata``, and counts documents, removed
    characters, languages and drops with ``stat_update``.

    Args:
        cleaner: the Cleaner to use (default: built-in rules, detected language).
        drop_empty: drop documents whose clean body is empty (counted as
            ``dropped_empty``); with False they pass on with empty text.
        batch_size: documents cleaned together on Rust threads. 1 (the
            default) cleans one at a time: datatrove already runs one task
            per core.
        threads: threads for a batch (None: one per core).
    """

    name = "🧹 dechaff"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        cleaner: Optional[Cleaner] = None,
        drop_empty: bool = True,
        batch_size: int = 1,
        threads: Optional[int] = None,
    ):
        super().__init__()
        if batch_size < 1:
            raise ValueError(f"batch_size {batch_size}: give 1 or more")
        self.cleaner = cleaner if cleaner is not None else Cleaner()
        self.drop_empty = drop_empty
        self.batch_size = batch_size
        self.threads = threads

    def _batches(self, data: DocumentsPipeline):
        batch = []
        for doc in data:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        for batch in self._batches(data):
            with self.track_time("batch" if self.batch_size > 1 else None):
                if self.batch_size == 1:
                    results = [self.cleaner.clean(batch[0].text)]
                else:
                    results = self.cleaner.clean_batch([d.text for d in batch], threads=self.threads)
            for doc, cleaned in zip(batch, results):
                self.stat_update("total")
                self.stat_update("removed_chars", value=cleaned.removed_chars, unit="doc")
                self.stat_update(f"lang_{cleaned.lang}")
                if cleaned.safety_net is not None:
                    self.stat_update("safety_net")
                doc.text = cleaned.text
                doc.metadata["dechaff_lang"] = cleaned.lang
                doc.metadata["dechaff_script"] = cleaned.script
                doc.metadata["dechaff_lang_confidence"] = cleaned.lang_confidence
                doc.metadata["dechaff_removed_chars"] = cleaned.removed_chars
                doc.metadata["dechaff_safety_net"] = cleaned.safety_net is not None
                if self.drop_empty and not cleaned.text.strip():
                    self.stat_update("dropped_empty")
                    continue
                self.stat_update("forwarded")
                self.update_doc_stats(doc)
                yield doc
