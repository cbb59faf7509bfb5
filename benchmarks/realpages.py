"""Newest-date accuracy on the real-page corpus (tests/extract/realpages/) per CMS family, beside the
naive "largest date on the page" reader: the table of the README. Run: python benchmarks/realpages.py"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.extract.realpages_eval import by_family, evaluate, load_cases  # noqa: E402


def main() -> int:
    """Print the markdown table, then every page read wrong by either reader."""
    scores = evaluate(load_cases())
    fam = by_family(scores)
    sites = {s.case.meta.get("site") for s in scores}
    print(f"{len(scores)} pages of {len(sites)} sites\n")
    print("| CMS family | pages | govwatch | naive largest date |")
    print("|---|---:|---:|---:|")
    for name, (pages, right, naive) in fam.items():
        print(f"| {name} | {pages} | {right}/{pages} | {naive}/{pages} |")
    total = len(scores)
    right = sum(s.right for s in scores)
    naive = sum(s.naive_right for s in scores)
    print(f"| **all** | {total} | **{right}/{total} ({right / total:.1%})** | {naive}/{total} ({naive / total:.1%}) |")
    misses = [s for s in scores if not s.right or not s.naive_right]
    if misses:
        print("\npage | true | govwatch (confidence) | naive")
        for s in misses:
            print(f"{s.case.file} | {s.case.newest} | {s.ours} ({s.confidence}) | {s.naive}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
