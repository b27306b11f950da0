"""Shared fixtures: the repository's pages, the CLI binary, and imports
that must not be skipped in CI."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def need(module: str):
    """Imports ``module``; skips the test without it, except in CI, where a
    missing engine is a failure (CI installs every one it tests)."""
    if os.environ.get("CI") and module not in os.environ.get("DECHAFF_OPTIONAL", "").split(","):
        return importlib.import_module(module)
    return pytest.importorskip(module)


def pages() -> list[tuple[str, bytes]]:
    """The five seed pages and every fixture page in the repository, as
    (path relative to the repository, bytes)."""
    paths = sorted((ROOT / "tests" / "seeds").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "fixtures").rglob("*.txt"))
    return [(str(p.relative_to(ROOT)), p.read_bytes()) for p in paths]


def text_pages() -> list[tuple[str, str]]:
    """The pages that are UTF-8 text (what a JSON Lines record can hold)."""
    out = []
    for name, data in pages():
        try:
            out.append((name, data.decode("utf-8")))
        except UnicodeDecodeError:
            pass
    return out


def records(n: int) -> list[dict]:
    """``n`` JSON Lines records cycling over the repository's text pages,
    each with an id, its source page and a number field to pass through."""
    src = text_pages()
    return [
        {"id": f"doc-{i:05d}", "page": src[i % len(src)][0], "n": i, "text": src[i % len(src)][1]}
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


@pytest.fixture(scope="session")
def cli() -> str:
    """The dechaff binary: $DECHAFF_BIN, or the debug build (built here if
    needed, as `cargo test` would)."""
    if os.environ.get("DECHAFF_BIN"):
        return os.environ["DECHAFF_BIN"]
    meta = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT)
    )
    subprocess.run(["cargo", "build", "--quiet", "--locked", "--bin", "dechaff"], cwd=ROOT, check=True)
    return str(Path(meta["target_directory"]) / "debug" / "dechaff")


def assert_cleaned_rows(rows: list[dict], got: dict, script: bool = False) -> None:
    """Each output row in `got` (by id) is its input row cleaned as
    `Cleaner().clean` cleans it: a null text stays null; pages repeated
    among the rows are cleaned once."""
    import dechaff

    cleaner = dechaff.Cleaner()
    cache: dict = {}
    for row in rows:
        out = got[row["id"]]
        assert out["n"] == row["n"]
        if row["text"] is None:
            assert out["text"] is None and out["dechaff_lang"] is None
            continue
        want = cache.get(row["page"]) or cache.setdefault(row["page"], cleaner.clean(row["text"]))
        assert out["text"] == want.text
        assert out["dechaff_lang"] == want.lang
        if script:
            assert out["dechaff_script"] == want.script
        assert out["dechaff_removed_chars"] == want.removed_chars
