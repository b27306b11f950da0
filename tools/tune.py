#!/usr/bin/env python3
"""Fit the judgement's weights (the `score:` section of rules/common.yaml)
on labelled pages, with k-fold cross-validation.

Labelled pages come in two kinds, both as directories:
  --gold DIR      DIR/input/NAME.txt (a whole page) and DIR/gold/NAME.txt
                  (its clean body): scored by bag-of-tokens F1 per page,
                  the same measure as shared/bench/score.py.
  --snippets DIR  DIR/input/NAME.txt and DIR/cases.jsonl ({"name", "with":
                  [...], "without": [...]}): scored by snippet F1.
Pass either as often as you have sets. The objective is the mean of the
sets' scores. A user with labelled pages of their own sites lays them out
the same way.

For each candidate the release binary cleans every page once, with
rules/common.yaml (its score section set to the candidate) passed in a
`--rules` directory, so no rebuild is needed. The search is coordinate descent over a
grid per weight, started from the shipped values. Cross-validation: the
pages are split into K folds by a hash of their name; for each fold the
search runs on the other folds and the chosen weights are scored on the
held-out one. Train and validation scores are reported separately, then the
weights chosen on all pages, the per-language effect, and (with --write)
the new `score:` values are written into rules/common.yaml.

    cargo build --release
    python3 tools/tune.py --gold ../shared/bench/dev \\
        --snippets ../shared/bench/snippets-dev [--folds 5] [--write]
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict

# The weights and the values tried for each. "never" leaves the cost unset:
# a region can then not be re-entered at all.
GRID = {
    "switch_cost": ["never", 200, 400, 800, 1600],
    "boundary_cost": ["never", 400, 800, 1600, 3200],
    "short_cost": [0.25, 0.3334, 0.5, 0.75, 1.0],
    "title_cost": [0, 0.5, 1.0, 1.5],
    "data_weight": [0.25, 0.5, 0.75],
}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMON = os.path.join(REPO, "rules", "common.yaml")

# Scripts written without spaces count one token per character, as in the
# benchmark's scorer.
UNSPACED = [(0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF),
            (0x3040, 0x30FF), (0x3100, 0x312F), (0x31A0, 0x31FF),
            (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
            (0x20000, 0x3FFFF)]


def tokens(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    table = {}
    for ch in set(text):
        cp = ord(ch)
        if any(lo <= cp <= hi for lo, hi in UNSPACED):
            table[cp] = f" {ch} "
        elif unicodedata.category(ch)[0] not in "LNM":
            table[cp] = " "
    return text.translate(table).split()


def token_f1(pred, gold):
    p, g = tokens(pred), tokens(gold)
    if not p or not g:
        return 1.0 if not p and not g else 0.0
    overlap = sum((Counter(p) & Counter(g)).values())
    if not overlap:
        return 0.0
    pr, rc = overlap / len(p), overlap / len(g)
    return 2 * pr * rc / (pr + rc)


def norm(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold()).strip()


class Set:
    """One labelled set: its pages, and how a prediction is scored."""

    def __init__(self, kind, root):
        self.kind, self.root = kind, root
        self.input = os.path.join(root, "input")
        self.lang = {}
        if kind == "gold":
            self.names = sorted(n[:-4] for n in os.listdir(os.path.join(root, "gold")))
            meta = os.path.join(root, "meta.jsonl")
            if os.path.exists(meta):
                for line in open(meta, encoding="utf-8"):
                    m = json.loads(line)
                    self.lang[m["name"]] = m.get("lang", "?")
        else:
            self.cases = {}
            for line in open(os.path.join(root, "cases.jsonl"), encoding="utf-8"):
                c = json.loads(line)
                self.cases[c["name"]] = c
                self.lang[c["name"]] = c.get("lang", "?")
            self.names = sorted(self.cases)

    def page_scores(self, pred_dir):
        """Per page: a token F1 (gold) or snippet counts (tp, fn, fp)."""
        out = {}
        for n in self.names:
            path = os.path.join(pred_dir, n + ".txt")
            pred = open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else ""
            if self.kind == "gold":
                gold = open(os.path.join(self.root, "gold", n + ".txt"), encoding="utf-8", errors="replace").read()
                out[n] = token_f1(pred, gold)
            else:
                c, text = self.cases[n], norm(pred)
                tp = sum(norm(s) in text for s in c["with"])
                fp = sum(norm(s) in text for s in c["without"])
                out[n] = (tp, len(c["with"]) - tp, fp)
        return out

    def score(self, per_page, names):
        names = [n for n in names if n in per_page]
        if not names:
            return None
        if self.kind == "gold":
            return sum(per_page[n] for n in names) / len(names)
        tp = sum(per_page[n][0] for n in names)
        fn = sum(per_page[n][1] for n in names)
        fp = sum(per_page[n][2] for n in names)
        return 2 * tp / (2 * tp + fn + fp) if tp + fn + fp else 0.0


class Runner:
    def __init__(self, binary, sets):
        self.binary, self.sets, self.cache = binary, sets, {}

    def run(self, weights):
        key = tuple(sorted(weights.items(), key=lambda kv: kv[0]))
        if key in self.cache:
            return self.cache[key]
        # "never" must really mean unset: the shipped file may set a cost,
        # and an overlay can only add to it, so the base file is replaced.
        with tempfile.TemporaryDirectory() as tmp:
            rules = os.path.join(tmp, "rules")
            os.mkdir(rules)
            with open(os.path.join(rules, "common.yaml"), "w", encoding="utf-8") as f:
                f.write(base_common(weights))
            result = []
            for s in self.sets:
                out = os.path.join(tmp, "out-" + str(len(result)))
                subprocess.run([self.binary, s.input, "-o", out, "--rules", rules],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                result.append(s.page_scores(out))
        self.cache[key] = result
        return result


def base_common(weights):
    """rules/common.yaml with its score section replaced by `weights`."""
    src = open(COMMON, encoding="utf-8").read()
    head = src[: src.index("\nscore:")]
    kept = []
    for line in src[src.index("\nscore:") + 1:].splitlines()[1:]:
        key = line.strip().split(":")[0]
        if line.startswith("  ") and key not in GRID and not line.strip().startswith("#"):
            kept.append(line)
    body = [f"  {k}: {v}" for k, v in weights.items() if v != "never"]
    return head + "\nscore:\n" + "\n".join(kept + body) + "\n"


def objective(runner, weights, names_by_set):
    per = runner.run(weights)
    vals = [s.score(p, names_by_set[i]) for i, (s, p) in enumerate(zip(runner.sets, per))]
    vals = [v for v in vals if v is not None]
    return sum(vals) / len(vals)


def search(runner, start, names_by_set, passes=2):
    best = dict(start)
    best_val = objective(runner, best, names_by_set)
    for _ in range(passes):
        improved = False
        for key, values in GRID.items():
            for v in values:
                cand = dict(best, **{key: v})
                val = objective(runner, cand, names_by_set)
                if val > best_val + 1e-9:
                    best, best_val, improved = cand, val, True
        if not improved:
            break
    return best, best_val


def shipped():
    src = open(COMMON, encoding="utf-8").read()
    out = {k: "never" for k in GRID}
    for k in GRID:
        m = re.search(rf"^  {k}:\s*([0-9.]+)", src, re.M)
        if m:
            out[k] = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return out


def fold_of(name, k):
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", action="append", default=[], help="a set of pages with gold text")
    ap.add_argument("--snippets", action="append", default=[], help="a set of pages with snippets")
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "dechaff"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="write the weights into rules/common.yaml")
    a = ap.parse_args()
    sets = [Set("gold", d) for d in a.gold] + [Set("snippets", d) for d in a.snippets]
    if not sets:
        sys.exit("tune.py: give at least one --gold or --snippets set")
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"tune.py: {a.bin}: no binary; run `cargo build --release` first")
    runner = Runner(a.bin, sets)
    start = shipped()
    train_scores, valid_scores = [], []
    for f in range(a.folds):
        train = [[n for n in s.names if fold_of(n, a.folds) != f] for s in sets]
        valid = [[n for n in s.names if fold_of(n, a.folds) == f] for s in sets]
        w, tr = search(runner, start, train)
        va = objective(runner, w, valid)
        train_scores.append(tr)
        valid_scores.append(va)
        print(f"fold {f}: train {tr:.4f} validation {va:.4f} weights {w}", flush=True)
    mean = lambda xs: sum(xs) / len(xs)
    print(f"cross-validated: train {mean(train_scores):.4f} validation {mean(valid_scores):.4f}")
    all_names = [s.names for s in sets]
    before = objective(runner, start, all_names)
    w, after = search(runner, start, all_names)
    print(f"all pages: shipped {start} -> {before:.4f}; fitted {w} -> {after:.4f}")
    per_before, per_after = runner.run(start), runner.run(w)
    for s, pb, pa in zip(sets, per_before, per_after):
        by_lang = defaultdict(list)
        for n in s.names:
            by_lang[s.lang.get(n, "?")].append(n)
        for lang, names in sorted(by_lang.items()):
            print(f"  {os.path.basename(s.root.rstrip('/'))} {lang:8} {len(names):4} pages: "
                  f"{s.score(pb, names):.4f} -> {s.score(pa, names):.4f}")
    if a.write:
        src = open(COMMON, encoding="utf-8").read()
        for k, v in w.items():
            pat = re.compile(rf"^  {k}:.*$", re.M)
            if v == "never":
                src = pat.sub("", src)
            elif pat.search(src):
                src = pat.sub(f"  {k}: {v}", src)
            else:
                src = src.rstrip("\n") + f"\n  {k}: {v}\n"
        src = re.sub(r"\n\n+$", "\n", src)
        open(COMMON, "w", encoding="utf-8").write(src)
        print(f"wrote {COMMON}; rebuild (cargo build --release) to embed it")


if __name__ == "__main__":
    main()
