#!/usr/bin/env python3
"""Write src/detect/latin_trigrams.json: whatlang's trigram profiles of the
Latin-script languages dechaff detects, for its inverted trigram index
(src/detect/trigrams.rs).

    tools/whatlang_profiles.py ~/.cargo/registry/src/*/whatlang-0.18.0

The profiles are whatlang's own data (MIT licence, the same crate dechaff
depends on), copied in whatlang's order. Run this again when the whatlang
version in Cargo.lock changes: the test `fast_path_equals_whatlang` in
src/detect/trigrams.rs fails until the copy matches the crate again.
"""
import json
import pathlib
import re
import sys

# dechaff's allowlist (src/detect/mod.rs, LANGUAGES), by whatlang's names.
LANGUAGES = """eng rus deu jpn spa fra cmn ita por pol nld tur vie ind ces kor pes ara
swe hun ell ron dan fin ukr slk tha bul nob heb hrv srp lit slv cat est lav hin
ben urd""".split()


def main(crate):
    root = pathlib.Path(crate)
    version = re.search(r'^version = "([^"]+)"', (root / "Cargo.toml").read_text(), re.M)
    source = (root / "src/trigrams/profiles.rs").read_text()
    latin = source[source.index("pub static LATIN_LANGS"):source.index("pub static CYRILLIC_LANGS")]
    langs = []
    for block in re.split(r"\(\s*Lang::", latin)[1:]:
        name = block[: block.index(",")].lower()
        trigrams = re.findall(r"Trigram\('(.)', '(.)', '(.)'\)", block)
        if len(trigrams) != 300:
            sys.exit(f"{name}: {len(trigrams)} trigrams, expected 300")
        if name in LANGUAGES:
            langs.append([name, ["".join(t) for t in trigrams]])
    out = {
        "source": f"whatlang {version.group(1)}, src/trigrams/profiles.rs (MIT licence)",
        "languages": langs,
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "src/detect/latin_trigrams.json"
    path.write_text(json.dumps(out, ensure_ascii=False) + "\n")
    print(f"{path}: {len(langs)} languages")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
