"""What the benchmarks share: the dev pages, repeated, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(os.environ.get("DECHAFF_BENCH", ROOT.parent / "shared" / "bench"))


def dev_pages() -> list[str]:
    """The development pages (read in place, never copied)."""
    paths = sorted((BENCH / "dev" / "input").glob("*.txt"))
    if not paths:
        raise SystemExit(f"no pages in {BENCH / 'dev' / 'input'}: set DECHAFF_BENCH")
    return [p.read_text(encoding="utf-8") for p in paths]


def repeated(target_mb: float) -> list[str]:
    """The dev pages repeated to about ``target_mb`` MB of UTF-8."""
    pages = dev_pages()
    size = sum(len(p.encode()) for p in pages)
    times = max(1, round(target_mb * 1e6 / size))
    return pages * times


def write_jsonl(path: Path, docs: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i, d in enumerate(docs):
            f.write(json.dumps({"id": i, "text": d}, ensure_ascii=False) + "\n")


def _release_dir() -> Path:
    meta = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT)
    )
    return Path(meta["target_directory"]) / "release"


def cli_binary() -> str:
    """The release CLI ($DECHAFF_BIN, or built if needed)."""
    if os.environ.get("DECHAFF_BIN"):
        return os.environ["DECHAFF_BIN"]
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "dechaff"], cwd=ROOT, check=True)
    return str(_release_dir() / "dechaff")


def release_example(name: str, env: str) -> str:
    """The release build of ``examples/{name}.rs`` ($``env``, or built if
    needed)."""
    if os.environ.get(env):
        return os.environ[env]
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", name], cwd=ROOT, check=True)
    return str(_release_dir() / "examples" / name)
