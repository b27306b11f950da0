"""The Python API gives the CLI's output byte for byte, on the seed pages
and on every fixture page of the repository."""

from __future__ import annotations

import json
import subprocess

import pytest

import dechaff
from conftest import ROOT, pages

PAGES = pages()


@pytest.fixture(scope="module")
def cleaner() -> dechaff.Cleaner:
    return dechaff.Cleaner()


def test_the_corpus_is_there():
    names = [n for n, _ in PAGES]
    assert sum(n.startswith("tests/seeds/") for n in names) == 5
    assert sum(n.startswith("tests/fixtures/") for n in names) >= 150


@pytest.mark.parametrize("name", [n for n, _ in PAGES])
def test_python_equals_cli(name, cli, cleaner):
    data = (ROOT / name).read_bytes()
    text = subprocess.run([cli, name], cwd=ROOT, capture_output=True, check=True).stdout
    got = cleaner.clean_bytes(data)
    assert got.text.encode("utf-8") == text
    js = subprocess.run([cli, name, "--format", "json"], cwd=ROOT, capture_output=True, check=True).stdout
    want = json.loads(js)
    mine = got.to_dict()
    assert mine.pop("removed_chars") == got.removed_chars
    # The CLI leaves out empty warnings and an unset safety net.
    if not mine["warnings"]:
        del mine["warnings"]
    if mine["safety_net"] is None:
        del mine["safety_net"]
    assert mine == want
    # Text the CLI read as plain UTF-8 gives the same through clean(str).
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if got.encoding == "UTF-8" and not decoded.startswith("\ufeff"):
        assert cleaner.clean(decoded).text.encode("utf-8") == text
