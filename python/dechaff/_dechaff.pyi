"""Type stub for the compiled module ``dechaff._dechaff``."""

from os import PathLike
from typing import Any, Iterable, Mapping, Optional, Union

DEFAULT_MIN_KEPT: float
__version__: str

class RuleError(ValueError):
    """A rule file is invalid.

    ``str(err)`` is the CLI's message: one ``file:line:col: message`` line per
    problem. ``problems`` lists them as dicts with ``file``, ``line``, ``col``,
    ``rule`` (or None) and ``message``; ``file``, ``line`` and ``col`` locate
    the first (line and col are 0 when the problem concerns the whole file).
    """

    problems: list[dict[str, Any]]
    file: Optional[str]
    line: Optional[int]
    col: Optional[int]

class Removal:
    """One removed line or inline span."""

    line: int
    """1-based line number in the input (after line-ending normalisation)."""
    action: str
    """``drop_lines``, ``cut_after``, ``remove_inline`` or ``judge``."""
    rule: str
    """The qualified rule id: ``eng/share-buttons``, ``score/outside-body``, ..."""
    text: str
    """The removed text: the whole line, or the span for inline removals."""
    def to_dict(self) -> dict[str, Any]: ...

class RuleWarning:
    """A rule that failed on this page (a fancy pattern out of its budget)."""

    line: int
    rule: str
    message: str

class SafetyNet:
    """Why the page was kept whole."""

    kept_share: float
    threshold: float
    top_rule: str
    top_rule_share: float

class Cleaned:
    """The result of cleaning one document."""

    @property
    def text(self) -> str:
        """The clean body: kept blocks, one blank line between, trailing newline."""
    @property
    def lang(self) -> str:
        """The rule set used: a language code (ISO 639-3), or ``common``."""
    @property
    def detected_lang(self) -> Optional[str]:
        """The language detected, even without a rule set of its own."""
    @property
    def script(self) -> Optional[str]:
        """ISO 15924 script: ``Latn``, ``Hans``, ``Hant``, ``Cyrl``, ``Jpan``, ..."""
    @property
    def lang_confidence(self) -> float:
        """The detector's confidence, 0 to 1 (1 when the language was given)."""
    @property
    def encoding(self) -> str:
        """The encoding the input was decoded from (``UTF-8`` for str input)."""
    @property
    def replaced_bytes(self) -> int:
        """Malformed input (bytes, or lone surrogates in a str) replaced by U+FFFD."""
    @property
    def input_chars(self) -> int:
        """Characters in the normalised input, line breaks excluded."""
    @property
    def removed_chars(self) -> int:
        """Input characters not in ``text`` (line breaks excluded)."""
    @property
    def removed(self) -> list[Removal]:
        """Every removed line and inline span, in line order."""
    @property
    def warnings(self) -> list[RuleWarning]:
        """Rules that failed on this page and were skipped for the rest of it."""
    @property
    def safety_net(self) -> Optional[SafetyNet]:
        """Set when cleaning would have removed nearly everything and the page
        was kept as it was; ``removed`` is then empty."""
    def to_dict(self) -> dict[str, Any]:
        """Plain Python values, with the keys of the CLI's ``--format json``
        plus ``removed_chars`` (``warnings`` is always present, ``safety_net``
        is None when the net did not fire)."""

class Cleaner:
    """A configured cleaner: build once, reuse for every document.

    ``lang``: an ISO 639-3 code (or ``common``) to use instead of detecting
    the language; an unknown code raises ValueError.
    ``rules``: a directory of rule files, as the CLI's ``--rules DIR``, or a
    dict of file name (``eng.yaml``) to YAML text; a bad file raises
    RuleError.
    ``min_kept``: the safety net's threshold, 0 to 1 (0 switches it off).
    ``encoding``: a WHATWG label for ``clean_bytes`` instead of guessing.
    ``headline``: False drops the article's headline (the title lines right
    before the body) as the CLI's ``--no-headline`` does, for corpora whose
    gold is the body alone.

    Picklable (datatrove, Spark and Ray ship it to workers): the copy carries
    the options and the rule files' text, and builds its engine on first use.
    Safe to share between threads.
    """

    def __init__(
        self,
        lang: Optional[str] = None,
        rules: Union[str, PathLike[str], Mapping[str, str], None] = None,
        min_kept: float = 0.02,
        encoding: Optional[str] = None,
        headline: bool = True,
    ) -> None: ...
    @property
    def lang(self) -> Optional[str]: ...
    @property
    def encoding(self) -> Optional[str]: ...
    @property
    def min_kept(self) -> float: ...
    @property
    def headline(self) -> bool:
        """Whether the article's headline is kept (False: ``--no-headline``)."""
    @property
    def rule_files(self) -> dict[str, str]:
        """The rule files added to the built-in ones: {label: YAML text}."""
    def clean(self, text: str) -> Cleaned:
        """Cleans text that is already decoded (the GIL is released meanwhile)."""
    def clean_bytes(self, data: Union[bytes, bytearray]) -> Cleaned:
        """Decodes (BOM, UTF-8, or a guessed legacy encoding unless the cleaner
        has one), then cleans. Never fails on malformed input: it is replaced
        and counted in ``replaced_bytes``."""
    def clean_batch(
        self, texts: Iterable[Union[str, bytes]], threads: Optional[int] = None
    ) -> list[Cleaned]:
        """Cleans many documents in parallel on Rust threads with the GIL
        released (``threads``: None for one per core, 1 for the calling thread
        alone). Results come back in input order."""
    def clean_arrow(
        self,
        data: Any,
        column: str = "text",
        *,
        removals: bool = False,
        prefix: str = "",
        threads: Optional[int] = None,
    ) -> Any:
        """Arrow in, Arrow out, through the Arrow C data interface (no Python
        object per document).

        ``data``: a ``pyarrow.RecordBatch`` (its ``column`` is cleaned and the
        other columns pass through) or a string/binary ``pyarrow.Array``; any
        object with ``__arrow_c_array__`` works. Returns a
        ``pyarrow.RecordBatch`` with the cleaned text in ``column`` (binary
        input becomes string) and ``{prefix}lang``, ``{prefix}script``,
        ``{prefix}removed_chars`` (int64) and, with ``removals=True``,
        ``{prefix}removed``: ``list<struct<line, action, rule, text>>``.
        A null text stays null, and so do its other columns.
        """
