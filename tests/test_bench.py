"""The province-scale benchmark, run once at a small scale: its answers, never its times.

``benchmarks/bench_scale.py`` asserts that the registry and the plain SQL (or
parsing) it is measured against give the same rows; this runs every operation
of it once per backend, so that a change to a query or to the schema that
makes them differ fails here, not on the day someone measures.
"""

from __future__ import annotations

import pytest

from benchmarks import bench_scale
from conftest import BACKENDS, POSTGRES_URL


@pytest.mark.parametrize("backend", BACKENDS)
def test_benchmark_answers_agree(backend):
    lines: list[str] = []
    results = bench_scale.run(None if backend == "sqlite" else POSTGRES_URL, 1500, notices=30, repeat=2,
                              slow_repeat=1, batch=3, merges=20, out=lines.append)
    assert [r.operation for r in results] == list(bench_scale.OPERATIONS)
    assert lines[0].startswith(f"backend: {backend};")
    assert lines[1].startswith("built 3 organizations, ") and lines[1].count("1500 holdings") == 1
    intake = results[bench_scale.OPERATIONS.index("intake")]
    assert intake.note.startswith("into a registry holding 20 merges; per notice, first 10% ")


def test_generated_notices_parse_as_written():
    from registry.record import read_notice

    texts = bench_scale.generated_notices(5)
    parsed = [read_notice(text)[1] for text in texts]
    assert [p.number for p in parsed] == [f"林政发〔2000〕{n}号" for n in range(1, 6)]
    assert [a.kind for a in parsed[0].actions] == ["appoint", "appoint"]
    assert all(len(p.actions) in (2, 3) for p in parsed)
