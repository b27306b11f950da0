"""Hugging Face ``datasets``: clean a text column with ``map(batched=True)``.

    import datasets, dechaff.hf
    ds = datasets.load_dataset("json", data_files="pages.jsonl", split="train")
    ds = ds.map(dechaff.hf.clean_batch, batched=True)

Options go through ``functools.partial`` (the Cleaner pickles, so datasets
can fingerprint and cache the map)::

    from functools import partial
    ds.map(partial(dechaff.hf.clean_batch, column="body",
                   cleaner=dechaff.Cleaner(lang="deu")), batched=True)
"""

from __future__ import annotations

from typing import Any, Optional

from . import Cleaner

_default: Optional[Cleaner] = None


def _default_cleaner() -> Cleaner:
    global _default
    if _default is None:
        _default = Cleaner()
    return _default


def clean_batch(
    examples: dict[str, list[Any]],
    column: str = "text",
    cleaner: Optional[Cleaner] = None,
    prefix: str = "dechaff_",
    threads: Optional[int] = None,
) -> dict[str, list[Any]]:
    """Cleans ``examples[column]`` (a list of str, bytes or None) in place and
    adds ``{prefix}lang``, ``{prefix}script`` and ``{prefix}removed_chars``.
    A None text stays None, with None in the added columns."""
    if column not in examples:
        raise KeyError(f'no column "{column}" in the batch (columns: {", ".join(examples)})')
    cleaner = cleaner if cleaner is not None else _default_cleaner()
    texts = examples[column]
    present = [i for i, t in enumerate(texts) if t is not None]
    results = cleaner.clean_batch([texts[i] for i in present], threads=threads)
    n = len(texts)
    out_text: list[Optional[str]] = [None] * n
    lang: list[Optional[str]] = [None] * n
    script: list[Optional[str]] = [None] * n
    removed: list[Optional[int]] = [None] * n
    for i, c in zip(present, results):
        out_text[i] = c.text
        lang[i] = c.lang
        script[i] = c.script
        removed[i] = c.removed_chars
    out = dict(examples)
    out[column] = out_text
    out[f"{prefix}lang"] = lang
    out[f"{prefix}script"] = script
    out[f"{prefix}removed_chars"] = removed
    return out
