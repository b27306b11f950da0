#!/usr/bin/env python3
"""Check phrase rule files (issue 9, /work/notes/phrases.md) before the Rust loader can.

Usage: tools/check_phrases.py [FILE_OR_DIR ...]   (default: rules/)

Loads every rules/*.yaml that has `phrases:` and prints each problem as
`file:line: message`:
  - a concept id that is not in the table of phrases.md;
  - a phrase that is empty after normalisation, or not a string;
  - a phrase listed twice (in one concept or in two) after normalisation;
  - a keep sentence that a phrase would match, following the concept's match kind
    (whole line, prefix with its separator and tail bound, anywhere);
  - warnings for what a reviewer should look at: a keep sentence that starts with a
    prefix phrase and is saved only by the tail bound, a concept whose trigger words
    no keep sentence uses, a stopword list outside 25-40 words.

Exit status: 0 when clean (warnings allowed), 1 on errors, 2 when PyYAML is missing.
It is a development aid: it mirrors the documented normalisation, not the engine's code.
"""

import re
import sys
import unicodedata
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.stderr.write(
        "check_phrases.py: PyYAML is not installed; install it with `pip install pyyaml` "
        "(or `apt-get install python3-yaml`) and run again\n"
    )
    sys.exit(2)

# The concepts of rules/concepts.yaml, as drafted for the loader; used when no
# concepts.yaml is found beside the checked files or in the repository's rules/.
# mode: line | prefix | anywhere; sep: allowed separators after a prefix phrase
# (" " = one or more spaces; none = any non-letter); tail: bounds and tests.
BUILTIN_CONCEPTS = {
    "related-news": {"match": "line"},
    "read-more": {"match": "prefix", "separator": [":", "：", "»", "›", ">", "→", "…", "...", "|", " -", " –", " —"],
                  "tail": {"max_chars": 80}},
    "share": {"match": "line", "tail": {"counter": True}},
    "follow": {"match": "prefix", "tail": {"max_chars": 60}},
    "comments": {"match": "line", "tail": {"counter": True}},
    "credit": {"match": "prefix", "separator": [":", "：", " -", " –", " —", " |", " /"],
               "tail": {"min_chars": 1, "max_chars": 60, "one_sentence": True}},
    "byline": {"match": "prefix", "separator": [" "],
               "tail": {"min_chars": 2, "max_chars": 60, "capital": True, "one_sentence": True}},
    "date-stamp": {"match": "prefix", "separator": [" ", ":", "："],
                   "tail": {"min_chars": 1, "max_chars": 60, "digit": True}},
    "copyright": {"match": "anywhere", "max_line_chars": 200},
    "legal": {"match": "line"},
    "subscribe": {"match": "prefix", "tail": {"max_chars": 150}},
    "cookies": {"match": "prefix", "tail": {"max_chars": 300}},
    "tags": {"match": "prefix", "separator": [":", "："], "tail": {"max_chars": 150}},
    "pagination": {"match": "line", "tail": {"counter": True}},
    "end-marker": {"match": "line"},
    "advert": {"match": "line"},
    "login": {"match": "line"},
}

DECORATION = set(" •·‣◦▪▫■□●○◆◇►▶▸▹▷◀◁◂◄«»‹›<>→←↑↓⇒➔➜➤|¦│…*-–—=~_/\\()[]{}【】「」『』〈〉《》〔〕")
UNSPACED = [(0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF),
            (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
            (0xFF66, 0xFF9F), (0x20000, 0x3FFFF)]
MIN_NEXT_SENTENCE_CHARS = 20


def load_concepts(files):
    """concepts.yaml beside the first checked file or in the repository, else the draft."""
    here = Path(__file__).resolve().parent.parent / "rules" / "concepts.yaml"
    for cand in [f.parent / "concepts.yaml" for f in files[:1]] + [here]:
        if not cand.is_file():
            continue
        try:
            doc = yaml.safe_load(cand.read_text(encoding="utf-8")) or {}
            return {c["id"]: c for c in doc.get("concepts", [])}, str(cand)
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
            mark = getattr(e, "problem_mark", None)
            where = f"{cand}:{mark.line + 1}" if mark else str(cand)
            print(f"{where}: warning: concept file not usable ({str(e).splitlines()[0]}); "
                  "using the built-in draft", file=sys.stderr)
    return BUILTIN_CONCEPTS, "the built-in draft"


def fold_width(s):
    """Full-width ASCII (U+FF01..U+FF5E) to ASCII; all whitespace to a space."""
    out = []
    for ch in s:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def normalise(s):
    """Lowercase, fold width and space runs, trim decoration, a trailing ':' or '...'."""
    s = re.sub(" +", " ", fold_width(s).lower())
    lo, hi = 0, len(s)
    while lo < hi and s[lo] in DECORATION:
        lo += 1
    while hi > lo and s[hi - 1] in DECORATION:
        hi -= 1
    while True:
        t = s[lo:hi]
        if t.endswith(":") or t.endswith("："):
            t = t[:-1]
        elif t.endswith(".."):
            t = t.rstrip(".")
        else:
            break
        hi = lo + len(t)
        while hi > lo and s[hi - 1] in DECORATION:
            hi -= 1
    return s[lo:hi]


def is_word_char(c):
    """Letters and digits of spaced scripts: a phrase must not run into one."""
    if not (c.isalnum() or unicodedata.category(c).startswith("M")):
        return False
    return not any(a <= ord(c) <= b for a, b in UNSPACED)


def fold_digits(s):
    return re.sub(r"\d+(?:[.,]\d+)*", "#", s)


def strip_counter(folded):
    """'# comments', '(#) comments', 'comments (#)', 'comments #' -> 'comments'."""
    m = re.match(r"^(?:#[km]?|\(#\)|\[#\]) (.*)$", folded)
    if m:
        return m.group(1).lstrip("".join(DECORATION))
    m = re.match(r"^(.*?)[\s(\[]*#[)\]]?$", folded)
    if m and m.group(1):
        return m.group(1).rstrip("".join(DECORATION) + ":")
    return None


def separated(rest, seps, abbreviation):
    if not rest:
        return rest
    trimmed = rest.lstrip(" ")
    spaced = len(trimmed) < len(rest)
    if not seps or (abbreviation and spaced):
        return trimmed
    for sep in seps:
        if sep == " ":
            if spaced:
                return trimmed
            continue
        if sep.startswith(" ") and not spaced:
            continue
        if trimmed.startswith(sep.lstrip(" ")):
            return trimmed[len(sep.lstrip(" ")):].lstrip(" ")
    return None


def tail_fits(tail, t, raw_tail):
    n = len(tail)
    if n < t.get("min_chars", 0) or n > t.get("max_chars", 10**9):
        return False
    if t.get("digit") and not any(c.isnumeric() for c in tail):
        return False
    if t.get("one_sentence"):
        for i, c in enumerate(tail):
            if c in "。！？" and i + 1 < n:
                return False
            if c in ".!?" and tail[i + 1:].startswith(" ") and len(tail[i + 1:]) > MIN_NEXT_SENTENCE_CHARS:
                return False
    if t.get("capital"):
        first = next((c for c in raw_tail if c.isalpha()), None)
        if first is not None and first.islower():
            return False
    return True


def match(concept, phrase, raw_keep):
    """Whether a phrase of this concept matches a keep sentence: None, 'match', or
    'tail-only' (a prefix phrase and its separator start the sentence, only the tail
    bound saves it: a shorter sentence of the same shape would be removed)."""
    line = normalise(raw_keep)
    mode = concept.get("match", "line")
    tail = concept.get("tail") or {}
    if mode == "line":
        if line == phrase:
            return "match"
        if tail.get("counter") and any(c.isdigit() for c in line):
            folded = fold_digits(line)
            if phrase in (folded, strip_counter(folded)):
                return "match"
        return None
    if mode == "anywhere":
        for m in re.finditer(re.escape(phrase), line):
            before = line[m.start() - 1] if m.start() else ""
            after = line[m.end()] if m.end() < len(line) else ""
            if (before and is_word_char(before) and is_word_char(phrase[0])) or \
               (after and is_word_char(after) and is_word_char(phrase[-1])):
                continue
            limit = concept.get("max_line_chars", 200)
            return "match" if len(line) <= limit else "tail-only"
        return None
    if not line.startswith(phrase):
        return None
    rest = line[len(phrase):]
    if rest and is_word_char(rest[0]) and is_word_char(phrase[-1]):
        return None
    after = separated(rest, concept.get("separator") or [], phrase.endswith("."))
    if after is None:
        return None
    raw_tail = raw_keep[-len(after):] if after else ""
    if tail_fits(after, tail, raw_tail):
        return "match"
    relaxed = dict(tail, max_chars=10**9)
    return "tail-only" if tail_fits(after, relaxed, raw_tail) else None


def infixes(phrase):
    """Trigger words of a phrase without spaces: itself in a spaced script; in an
    unspaced one (Thai, Han) every run of at least half its length, since a keep
    sentence holding the whole phrase would often be matched by it."""
    if any(is_word_char(c) for c in phrase):
        return [phrase]
    n = max(2, (len(phrase) + 1) // 2)
    return [phrase[i:j] for i in range(len(phrase)) for j in range(i + n, len(phrase) + 1)]


def words(s):
    return [w for w in re.split(r"[\s,.;:!?()«»\"'„“”]+", s) if len(w) >= 3]


class Report:
    def __init__(self):
        self.errors = 0
        self.warnings = 0

    def error(self, path, line, msg):
        self.errors += 1
        print(f"{path}:{line}: {msg}")

    def warn(self, path, line, msg):
        self.warnings += 1
        print(f"{path}:{line}: warning: {msg}")


def mapping(node):
    """A YAML mapping node as {key: (key_node, value_node)}."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: (k, v) for k, v in node.value}


def check_file(path, rep, concepts):
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        rep.error(path, mark.line + 1 if mark else 1, f"invalid yaml: {e}")
        return
    top = mapping(root)
    if "phrases" not in top:
        return False
    lang = top.get("lang")
    if lang is None:
        rep.error(path, 1, "no `lang`")
    elif lang[1].value != path.stem:
        rep.error(path, lang[1].start_mark.line + 1,
                  f"lang \"{lang[1].value}\" does not match the file name \"{path.stem}\"")

    phrases = []  # (concept, normalised, raw, line)
    seen = {}
    pnode = top["phrases"][1]
    for cid, (knode, vnode) in mapping(pnode).items():
        kline = knode.start_mark.line + 1
        if cid not in concepts:
            rep.error(path, kline, f"unknown concept \"{cid}\" (known: {', '.join(concepts)})")
            continue
        if not isinstance(vnode, yaml.SequenceNode) or not vnode.value:
            rep.error(path, kline, f"concept \"{cid}\": expected a non-empty list of phrases")
            continue
        for item in vnode.value:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.ScalarNode) or item.tag != "tag:yaml.org,2002:str":
                rep.error(path, line, f"concept \"{cid}\": phrase {item.value!r} is not a string")
                continue
            norm = normalise(item.value)
            if not norm:
                rep.error(path, line, f"concept \"{cid}\": phrase \"{item.value}\" is empty after normalisation")
                continue
            if norm in seen:
                ocid, oline = seen[norm]
                rep.error(path, line, f"concept \"{cid}\": phrase \"{item.value}\" duplicates "
                                      f"\"{norm}\" of concept \"{ocid}\" at line {oline}")
                continue
            seen[norm] = (cid, line)
            phrases.append((cid, norm, item.value, line))

    keeps = []
    if "keep" in top:
        knode = top["keep"][1]
        if not isinstance(knode, yaml.SequenceNode):
            rep.error(path, knode.start_mark.line + 1, "`keep` must be a list of sentences")
        else:
            keeps = [(k.value, k.start_mark.line + 1) for k in knode.value if isinstance(k, yaml.ScalarNode)]
    else:
        rep.error(path, 1, "no `keep` list: every concept needs an ordinary sentence that must not match")

    for keep, kline in keeps:
        for cid, norm, raw, pline in phrases:
            res = match(concepts[cid], norm, keep)
            if res == "match":
                rep.error(path, kline, f"keep sentence \"{keep}\" is matched by {cid} phrase "
                                       f"\"{raw}\" (line {pline})")
            elif res == "tail-only":
                rep.warn(path, kline, f"keep sentence \"{keep}\" starts with {cid} phrase "
                                      f"\"{raw}\" (line {pline}); only the tail bound saves it")

    # Each concept's trigger words should occur in some keep sentence, so the keep list
    # shows that the phrases survive ordinary prose (see `infixes` for unspaced scripts).
    keep_norm = [normalise(k) for k, _ in keeps]
    for cid, (knode, _) in mapping(pnode).items():
        if cid not in concepts:
            continue
        triggers = set()
        for c, norm, _, _ in phrases:
            if c == cid:
                triggers.update(words(norm) if " " in norm else infixes(norm))
        if triggers and not any(t in k for t in triggers for k in keep_norm):
            rep.warn(path, knode.start_mark.line + 1,
                     f"concept \"{cid}\": no keep sentence uses any of its trigger words")

    score = mapping(top["score"][1]) if "score" in top else {}
    if not score:
        rep.error(path, 1, "no `score` section")
    else:
        density = score.get("stopword_density")
        stop = score.get("stopwords")
        n = len(stop[1].value) if stop and isinstance(stop[1], yaml.SequenceNode) else 0
        if density is None:
            rep.error(path, top["score"][0].start_mark.line + 1, "score: no stopword_density")
        elif float(density[1].value) > 0 and not 25 <= n <= 40:
            line = stop[0].start_mark.line + 1 if stop else top["score"][0].start_mark.line + 1
            rep.warn(path, line, f"score: {n} stopwords, expected 25-40")
        if stop:
            dup = set()
            for s in stop[1].value:
                w = normalise(s.value)
                if w in dup:
                    rep.error(path, s.start_mark.line + 1, f"stopword \"{s.value}\" listed twice")
                dup.add(w)
    return True


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    targets = [Path(a) for a in argv] or [Path(__file__).resolve().parent.parent / "rules"]
    files = []
    for t in targets:
        files.extend(sorted(t.glob("*.yaml")) if t.is_dir() else [t])
    files = [f for f in files if f.stem != "concepts"]
    concepts, origin = load_concepts(files)
    rep = Report()
    checked = 0
    for f in files:
        if check_file(f, rep, concepts):
            checked += 1
    print(f"check_phrases: {checked} phrase file(s), {rep.errors} error(s), "
          f"{rep.warnings} warning(s); concepts from {origin}", file=sys.stderr)
    return 1 if rep.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
