"""The Python API: clean, clean_bytes, clean_batch, clean_arrow, pickling,
errors, and the inputs that tend to break bindings."""

from __future__ import annotations

import pickle
import subprocess
import threading

import pytest

import dechaff
from conftest import ROOT, need, pages, text_pages

PAGE = (
    "Home\nNews\nSport\n\n"
    "The council approved the new budget on Monday after a long debate about school funding, "
    "road repairs and the cost of the new library. Members of the opposition said the plan "
    "left too little for the bus network, and the mayor promised a review in the spring.\n\n"
    "Share on Facebook\nShare on Twitter\n"
)

BAD_RULE = """lang: eng
extend: true
drop_lines:
  - id: broken
    why: A pattern with an unclosed group.
    pattern: '(unclosed'
    examples:
      remove: ['(unclosed']
      keep: ['A sentence that stays.']
"""


@pytest.fixture(scope="module")
def cleaner() -> dechaff.Cleaner:
    return dechaff.Cleaner()


def test_clean_removes_chrome_and_keeps_the_body(cleaner):
    c = cleaner.clean(PAGE)
    assert c.text.startswith("The council approved the new budget")
    assert "Share on Facebook" not in c.text and "Home" not in c.text
    assert c.lang == "eng" and c.script == "Latn" and c.encoding == "UTF-8"
    assert 0 < c.lang_confidence <= 1
    removed_text = {r.text for r in c.removed}
    assert {"Share on Facebook", "Share on Twitter"} <= removed_text
    assert all(r.action in {"drop_lines", "cut_after", "remove_inline", "judge"} for r in c.removed)
    assert c.removed_chars == c.input_chars - len(c.text.replace("\n", ""))
    assert c.removed_chars >= len("HomeNewsSportShare on FacebookShare on Twitter")
    assert c.safety_net is None
    d = c.to_dict()
    assert d["text"] == c.text and d["removed_chars"] == c.removed_chars
    assert d["removed"] == [r.to_dict() for r in c.removed]


def test_clean_bytes_decodes_legacy_encodings(cleaner):
    text = "Новости\n\nСовет депутатов утвердил бюджет города на следующий год после долгих споров о школах и дорогах.\n"
    c = cleaner.clean_bytes(text.encode("windows-1251"))
    assert c.encoding == "windows-1251"
    assert "Совет депутатов утвердил бюджет" in c.text
    assert c.script == "Cyrl"


def test_non_utf8_bytes_are_replaced_and_counted():
    c = dechaff.Cleaner(encoding="utf-8").clean_bytes(b"A sentence about the weather \xff\xfe in May.\n")
    assert "\ufffd" in c.text
    assert c.replaced_bytes == 2


def test_lone_surrogates_in_str_become_replacement_characters(cleaner):
    c = cleaner.clean("A sentence with a lone surrogate \ud800 in the middle of it.\n")
    assert "\ufffd" in c.text and c.replaced_bytes == 1


def test_empty_input(cleaner):
    for c in (cleaner.clean(""), cleaner.clean_bytes(b""), cleaner.clean("\n\n  \n")):
        assert c.text == "" and c.removed == [] and c.removed_chars == 0
    assert cleaner.clean_batch([]) == []


def test_a_10_mb_document(cleaner):
    paragraph = (
        "The committee met again on Tuesday to discuss the harbour project, which has been delayed "
        "by two years and now costs twice the first estimate.\n\n"
    )
    page = "Home\nNews\n\n" + paragraph * (10_000_000 // len(paragraph) + 1) + "Share\n"
    assert len(page) > 10_000_000
    c = cleaner.clean(page)
    assert c.input_chars == len(page.replace("\n", ""))
    assert c.text.count("harbour project") == page.count("harbour project")
    assert cleaner.clean_bytes(page.encode()).to_dict() == c.to_dict()
    assert cleaner.clean_batch([page, page], threads=2)[1].text == c.text


def test_clean_batch_matches_clean_in_order(cleaner):
    docs = [t for _, t in text_pages()]
    expected = [cleaner.clean(t).text for t in docs]
    for threads in (None, 1, 2):
        got = cleaner.clean_batch(docs, threads=threads)
        assert [c.text for c in got] == expected
    mixed = cleaner.clean_batch([docs[0], docs[0].encode()])
    assert mixed[0].text == mixed[1].text == expected[0]


def test_clean_batch_rejects_other_types(cleaner):
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str or bytes, got int"):
        cleaner.clean_batch(["a", 3])
    with pytest.raises(ValueError, match="threads 0"):
        cleaner.clean_batch(["a"], threads=0)


def test_clean_batch_releases_the_gil(cleaner):
    # While one thread cleans a large batch, another must keep running Python.
    docs = [PAGE * 50] * 400
    ticks = 0
    done = threading.Event()

    def tick():
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    t = threading.Thread(target=tick)
    t.start()
    try:
        before = ticks
        cleaner.clean_batch(docs, threads=1)
        during = ticks - before
    finally:
        done.set()
        t.join()
    assert during > 1000


def test_pickled_cleaner_keeps_options_and_rules(tmp_path):
    (tmp_path / "eng.yaml").write_text(
        "lang: eng\nextend: true\ndrop_lines:\n"
        "  - id: weather-box\n    why: A site's weather widget.\n    pattern: '^Weather: .*$'\n"
        "    examples:\n      remove: ['Weather: 12°C, rain']\n      keep: ['The weather was fine.']\n"
    )
    original = dechaff.Cleaner(lang="eng", rules=tmp_path, min_kept=0.1, headline=False)
    page = PAGE + "\nWeather: 12°C, rain\n"
    copy = pickle.loads(pickle.dumps(original))
    assert (copy.lang, copy.min_kept, copy.headline) == ("eng", 0.1, False)
    assert repr(copy) == repr(original) and "headline=False" in repr(copy)
    assert copy.rule_files == original.rule_files and len(copy.rule_files) == 1
    got = copy.clean(page)
    assert "Weather:" not in got.text
    assert any(r.rule == "eng/weather-box" for r in got.removed)
    assert got.to_dict() == original.clean(page).to_dict()
    # Rules given as a dict pickle the same way, and the rules directory is
    # not read again on the worker.
    inline = dechaff.Cleaner(rules={"eng.yaml": (tmp_path / "eng.yaml").read_text()})
    (tmp_path / "eng.yaml").unlink()
    assert "Weather:" not in pickle.loads(pickle.dumps(inline)).clean(page).text


def test_a_pickled_cleaner_still_drops_the_headline():
    page = (ROOT / "tests/fixtures/score/headline-across-byline-and-share-region.txt").read_text()
    copy = pickle.loads(pickle.dumps(dechaff.Cleaner(headline=False)))
    assert copy.headline is False
    got = copy.clean(page).text
    # The engine is rebuilt from the pickled state: the headline must be
    # gone there too, not only in the attribute.
    assert "River clean-up volunteers" not in got
    assert "River clean-up volunteers" in dechaff.Cleaner().clean(page).text
    assert got == dechaff.Cleaner(headline=False).clean(page).text


def test_unpickling_the_same_cleaner_twice_gives_one_engine():
    # Spark unpickles the Cleaner for every task: equal copies in one
    # process must share one object, so the rules compile once per worker.
    data = pickle.dumps(dechaff.Cleaner(lang="eng", min_kept=0.1))
    first = pickle.loads(data)
    first.clean(PAGE)
    assert pickle.loads(data) is first
    # Any difference in the options or the rules is another cleaner.
    assert pickle.loads(pickle.dumps(dechaff.Cleaner(lang="eng", min_kept=0.1, headline=False))) is not first
    assert pickle.loads(pickle.dumps(dechaff.Cleaner(lang="eng", min_kept=0.2))) is not first
    # Only the few most recent are kept.
    for share in (0.3, 0.4, 0.5, 0.6):
        pickle.loads(pickle.dumps(dechaff.Cleaner(min_kept=share)))
    assert pickle.loads(data) is not first
    assert len(dechaff._restored) <= dechaff._RESTORED_MAX


def test_rule_error_carries_the_position_and_the_cli_message(tmp_path, cli):
    (tmp_path / "eng.yaml").write_text(BAD_RULE)
    with pytest.raises(dechaff.RuleError) as info:
        dechaff.Cleaner(rules=tmp_path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.file == str(tmp_path / "eng.yaml")
    assert (err.line, err.col) == (6, 14)
    assert len(err.problems) == 1 and "unclosed group" in err.problems[0]["message"]
    assert f"{err.file}:{err.line}:{err.col}: " in str(err)
    assert err.problems[0]["rule"] == "broken"
    page = ROOT / "tests" / "seeds" / "000_f6bc4f0e7946b5b3.txt"
    run = subprocess.run([cli, str(page), "--rules", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr == f"dechaff: {err}\n"


def test_rule_error_from_a_dict_and_for_non_utf8_files(tmp_path):
    with pytest.raises(dechaff.RuleError, match=r"^eng\.yaml:6:\d+: rule \"broken\": "):
        dechaff.Cleaner(rules={"eng.yaml": BAD_RULE})
    (tmp_path / "deu.yaml").write_bytes(b"lang: deu\n# \xff\n")
    with pytest.raises(dechaff.RuleError, match="deu.yaml: not valid UTF-8"):
        dechaff.Cleaner(rules=str(tmp_path))


def test_bad_options_raise_python_errors(tmp_path):
    with pytest.raises(ValueError, match='unknown language "xx-bogus"'):
        dechaff.Cleaner(lang="xx-bogus")
    with pytest.raises(ValueError, match='unknown encoding "nope"'):
        dechaff.Cleaner(encoding="nope")
    with pytest.raises(ValueError, match="min_kept 1.5: give a share between 0 and 1"):
        dechaff.Cleaner(min_kept=1.5)
    with pytest.raises(FileNotFoundError, match="no-such-dir"):
        dechaff.Cleaner(rules=tmp_path / "no-such-dir")
    with pytest.raises(TypeError):
        dechaff.Cleaner(rules=3)


def test_a_rust_panic_becomes_a_runtime_error():
    from dechaff import _dechaff

    with pytest.raises(RuntimeError, match="internal error in dechaff.*deliberate test panic"):
        _dechaff._panic_for_test()
    # The interpreter and the module still work.
    assert dechaff.Cleaner().clean(PAGE).text


def test_arrow_round_trip_keeps_rows_order_and_nulls(cleaner):
    pa = need("pyarrow")
    docs = [t for _, t in text_pages()][:40]
    texts = docs[:10] + [None] + docs[10:] + [None]
    batch = pa.RecordBatch.from_pydict({"id": list(range(len(texts))), "text": texts})
    out = cleaner.clean_arrow(batch)
    assert isinstance(out, pa.RecordBatch)
    assert out.num_rows == batch.num_rows
    assert out.schema.names == ["id", "text", "lang", "script", "removed_chars"]
    assert out.column("id").to_pylist() == list(range(len(texts)))
    assert out.column("text").null_count == 2
    expected = [None if t is None else cleaner.clean(t) for t in texts]
    assert out.column("text").to_pylist() == [None if c is None else c.text for c in expected]
    assert out.column("lang").to_pylist() == [None if c is None else c.lang for c in expected]
    assert out.column("script").to_pylist() == [None if c is None else c.script for c in expected]
    assert out.column("removed_chars").to_pylist() == [
        None if c is None else c.removed_chars for c in expected
    ]
    assert out.column("removed_chars").type == pa.int64()


def test_arrow_removals_column_and_prefix(cleaner):
    pa = need("pyarrow")
    batch = pa.RecordBatch.from_pydict({"text": [PAGE, None, ""]})
    out = cleaner.clean_arrow(batch, removals=True, prefix="dechaff_")
    assert out.schema.names == ["text", "dechaff_lang", "dechaff_script", "dechaff_removed_chars", "dechaff_removed"]
    removed = out.column("dechaff_removed").to_pylist()
    assert removed[0] == [r.to_dict() for r in cleaner.clean(PAGE).removed]
    assert removed[1] is None and removed[2] == []
    with pytest.raises(ValueError, match='column "lang" is already in the batch'):
        cleaner.clean_arrow(pa.RecordBatch.from_pydict({"text": ["a"], "lang": ["x"]}))


def test_arrow_column_kinds(cleaner):
    pa = need("pyarrow")
    expected = cleaner.clean(PAGE).text
    for array, out_type in [
        (pa.array([PAGE]), pa.string()),
        (pa.array([PAGE], pa.large_string()), pa.large_string()),
        (pa.array([PAGE.encode("utf-16")], pa.binary()), pa.string()),
        (pa.array([PAGE], pa.string_view()), pa.string_view()),
    ]:
        out = cleaner.clean_arrow(array)
        assert out.schema.field("text").type == out_type
        assert out.column("text").to_pylist() == [expected]
    body = pa.RecordBatch.from_pydict({"body": [PAGE]})
    assert cleaner.clean_arrow(body, column="body").column("body").to_pylist() == [expected]
    with pytest.raises(ValueError, match='no column "text" in the batch \\(columns: body\\)'):
        cleaner.clean_arrow(body)
    with pytest.raises(TypeError, match='column "text" is Int64'):
        cleaner.clean_arrow(pa.array([1, 2]))
    with pytest.raises(TypeError, match="for a Table"):
        cleaner.clean_arrow(pa.table({"text": [PAGE]}))
    empty = cleaner.clean_arrow(pa.RecordBatch.from_pydict({"text": pa.array([], pa.string())}))
    assert empty.num_rows == 0


def test_arrow_equals_batch_on_every_page(cleaner):
    pa = need("pyarrow")
    data = [d for _, d in pages()]
    out = cleaner.clean_arrow(pa.array(data, pa.binary()), threads=2)
    assert out.column("text").to_pylist() == [c.text for c in cleaner.clean_batch(data)]
