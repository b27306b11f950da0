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


# Pages with a headline that --no-headline drops: on these the option must
# change the output, or the equality test below would pass with it ignored.
HEADLINE_PAGES = [
    "tests/fixtures/score/headline-across-byline-and-share-region.txt",
    "tests/seeds/001_714598442bb43c6e.txt",
    "tests/seeds/002_c9d220f43a1d733f.txt",
    "tests/seeds/003_fed0c47f95088bdb.txt",
    "tests/seeds/004_63e3fb43c6d093b8.txt",
]


def cli_json(cli: str, name: str, *flags: str) -> dict:
    js = subprocess.run([cli, name, "--format", "json", *flags], cwd=ROOT, capture_output=True, check=True).stdout
    return json.loads(js)


def as_cli_json(got: dechaff.Cleaned) -> dict:
    """``got.to_dict()`` in the shape of the CLI's JSON."""
    mine = got.to_dict()
    assert mine.pop("removed_chars") == got.removed_chars
    # The CLI leaves out empty warnings and an unset safety net.
    if not mine["warnings"]:
        del mine["warnings"]
    if mine["safety_net"] is None:
        del mine["safety_net"]
    return mine


@pytest.mark.parametrize("name", [n for n, _ in PAGES])
def test_python_equals_cli(name, cli, cleaner):
    data = (ROOT / name).read_bytes()
    text = subprocess.run([cli, name], cwd=ROOT, capture_output=True, check=True).stdout
    got = cleaner.clean_bytes(data)
    assert got.text.encode("utf-8") == text
    assert as_cli_json(got) == cli_json(cli, name)
    # Text the CLI read as plain UTF-8 gives the same through clean(str).
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if got.encoding == "UTF-8" and not decoded.startswith("\ufeff"):
        assert cleaner.clean(decoded).text.encode("utf-8") == text


def test_the_headline_pages_are_there():
    names = {n for n, _ in PAGES}
    assert set(HEADLINE_PAGES) <= names


@pytest.mark.parametrize("name", [n for n, _ in PAGES])
def test_headline_false_equals_cli_no_headline(name, cli):
    data = (ROOT / name).read_bytes()
    text = subprocess.run([cli, name, "--no-headline"], cwd=ROOT, capture_output=True, check=True).stdout
    got = dechaff.Cleaner(headline=False).clean_bytes(data)
    assert got.text.encode("utf-8") == text
    assert as_cli_json(got) == cli_json(cli, name, "--no-headline")
    if name in HEADLINE_PAGES:
        default = dechaff.Cleaner().clean_bytes(data)
        assert got.text != default.text
        assert len(got.text) < len(default.text)
