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


def _restore_cleaner(state):
    """Unpickles a Cleaner (see ``Cleaner.__reduce__``): the engine is built
    on first use, in the process that uses it."""
    return Cleaner._from_state(state)
