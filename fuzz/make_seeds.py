#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into corpus/<target>/.

Run it from fuzz/ before a first fuzz run (cmin keeps what adds coverage):
the test fixtures, the built-in rule files, and small hand-made pages and
rule files for the hostile cases the fixtures do not show."""

import hashlib
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent

PAGES = {
    "mixed-scripts": "Home\nNews\n\nThe council approved the new budget on Monday after a long debate.\n"
    "城市公园改造工程于本周正式完工，新增了步行道。\n相关新闻\nНовое здание библиотеки открылось.\n"
    "市立図書館の新しい建物が今週開館しました。\nمرحبا بالعالم، هذا نص عربي طويل نسبيا.\n😀👍🏽👨‍👩‍👧\nShare\nRead more\nFoto: NTB\n",
    "controls": "a\x00b\x01c\x1b[31mred\x7f\n\x0b\x0c\u0085line\u2028sep\u2029para\r\nend\r",
    "invisible": "\u200bzero\u200dwidth\u200c\ufeffbom\u00adsoft\u2060join\n\u00a0\u00a0nbsp\u00a0\n",
    "repeats": "Same caption line here\nSame caption line here\n" * 3
    + "The title of the article appears again\n" * 2,
    "clutter": "Share\nTweet\nAdvertisement\nRelated stories\n相关新闻\nFoto: NTB\nRead more\n"
    "© 2024\nhttps://example.com/x\n12:30\nnews@example.com\n",
    "long-line": "word " * 2000 + "\n",
    "short-lines": "a\n" * 2000,
    "blank": "\n\n \n\t\n",
    "one-blank": "\n",
    "pinyin": "关(guān)系很好，我们(wǒ men)都知道。这是一个比较长的句子，用来测试内联删除。\n",
    "korean-credit": "[사진=연합뉴스] 시립 도서관의 새 건물이 이번 주에 문을 열었다.\n",
    "vie-dateline": "Hà Nội (TTXVN) - Tòa nhà mới của thư viện thành phố đã mở cửa trong tuần này.\n",
}

BYTES = {
    "utf16le-lone-surrogate": b"\xff\xfea\x00\x00\xd8b\x00\n\x00",
    "utf16be-odd-length": b"\xfe\xff\x00a\x00b\x00",
    "utf16le-ascii-behind-bom": b"\xff\xfeHello world\n",
    "utf8-bom-gbk": b"\xef\xbb\xbf" + "城市公园改造工程正式完工\n".encode("gbk"),
    "truncated-utf8": "naïve café – ".encode("utf-8") + "é".encode("utf-8")[:1],
    "mixed-utf8-gbk": "Grüße – ".encode("utf-8") + "城市公园".encode("gbk") + b"\n",
    "high-bytes": bytes(range(128, 256)),
    "all-bytes": bytes(range(256)),
    "gb18030-four-byte": "老树𠀋".encode("gb18030"),
    "iso-2022-jp": "市立図書館".encode("iso2022_jp"),
}

RULES = {
    "minimal": "lang: eng\n",
    "drop": "lang: eng\ndrop_lines:\n  - id: x\n    why: y\n    pattern: '^Share$'\n"
    "    examples: {remove: [Share], keep: [Shares]}\n",
    "fancy": "lang: eng\ndrop_lines:\n  - id: nested\n    why: z\n    pattern: '^(a+)+$(?<=a)'\n"
    "    fancy: true\n    examples: {remove: [aaa], keep: [b]}\n",
    "cut": "lang: eng\ncut_after:\n  - id: rel\n    why: r\n    pattern: '(?i)^related'\n"
    "    min_position: 0.0\n    examples: {remove: [Related], keep: [x]}\n",
    "inline": "lang: cmn\nextend: true\nremove_inline:\n  - id: p\n    why: p\n    pattern: '\\p{Han}(\\(\\w+\\))'\n"
    "    examples: {remove: ['关(x)'], keep: ['(x)']}\n",
    "score": "lang: xyz\nalso: [abc]\nscore:\n  good_chars: 0\n  short_chars: 0\n  title_min_chars: 0\n"
    "  stopword_density: 1.5\n  stopwords: [a]\n  sentence_end: ''\n",
    "everything": "lang: common\ndrop_lines:\n  - id: all\n    why: all\n    pattern: ''\n"
    "    examples: {remove: [a], keep: []}\n",
    "aliases": "lang: eng\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
    "big-repeat": "lang: eng\ndrop_lines:\n  - id: big\n    why: big\n    pattern: '(?:a{100}){100}'\n"
    "    examples: {remove: [a], keep: [b]}\n",
}


def write(target, name, data):
    folder = ROOT / "fuzz" / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()[:16]
    (folder / f"seed-{name}-{digest}").write_bytes(data)


def main():
    pages = {k: v.encode("utf-8") for k, v in PAGES.items()}
    pages.update(BYTES)
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.txt")):
        pages[f"{path.parent.name}-{path.stem}"] = path.read_bytes()
    for name, data in pages.items():
        write("clean_bytes", name, data)
        # clean_options: the first byte picks language and encoding.
        choice = int(hashlib.sha1(data).hexdigest(), 16) % 16
        write("clean_options", name, bytes([choice]) + data)
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        write("rules_yaml", path.stem, path.read_bytes())
    for name, src in RULES.items():
        write("rules_yaml", name, src.encode("utf-8"))


if __name__ == "__main__":
    os.chdir(ROOT / "fuzz")
    main()
