from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from bench_faithfulness import run  # noqa: E402

from eval.perturb import OUT_PATH  # noqa: E402


def test_bench_faithfulness__smoke_reports_timings() -> None:
    result = run(n=3, repeat=1, labelled=OUT_PATH)
    assert result["answers"] == 3
    assert result["seconds_best"] >= 0 and result["cpu_seconds_best"] >= 0
    assert result["target_seconds_per_100"] == 5.0
