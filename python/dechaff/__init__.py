"""dechaff: separates the article body from the clutter in scraped web text.

>>> import dechaff
>>> cleaner = dechaff.Cleaner()
>>> page = ("Home\\nNews\\n\\nThe council approved the new budget on Monday after a long "
...         "debate about school funding, road repairs and the cost of the new library.\\n\\nShare\\n")
>>> cleaner.clean(page).text.startswith("The council approved")
True

Adapters live in submodules that import their engine only when imported:
``dechaff.datatrove`` (a pipeline step), ``dechaff.hf`` (``datasets.map``),
``dechaff.spark`` (``mapInArrow``) and ``dechaff.ray`` (``map_batches``).
"""

from ._dechaff import (
    DEFAULT_MIN_KEPT,
    Cleaned,
    Cleaner,
    Removal,
    RuleError,
    RuleWarning,
    SafetyNet,
    __version__,
)

__all__ = [
    "DEFAULT_MIN_KEPT",
    "Cleaned",
    "Cleaner",
    "Removal",
    "RuleError",
    "RuleWarning",
    "SafetyNet",
    "__version__",
]


# Cleaners unpickled in this process, by their state, most recent last.
# Spark unpickles a task's function, and with it the Cleaner, for every
# task: without this each task of a reused Python worker would compile the
# rule sets again (about 0.2 s for the dev pages' languages, measured).
_restored: dict = {}
_RESTORED_MAX = 4


def _restore_cleaner(state):
    """Unpickles a Cleaner (see ``Cleaner.__reduce__``): the engine is built
    on first use, in the process that uses it, and a copy with the same
    options and rules as one unpickled before in this process is that one
    (a Cleaner is immutable and safe to share between threads)."""
    lang, encoding, min_kept, headline, rule_files = state
    key = (lang, encoding, min_kept, headline, tuple(map(tuple, rule_files)))
    cleaner = _restored.pop(key, None)
    if cleaner is None:
        cleaner = Cleaner._from_state(state)
        while len(_restored) >= _RESTORED_MAX:
            del _restored[next(iter(_restored))]
    _restored[key] = cleaner
    return cleaner
