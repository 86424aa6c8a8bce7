"""`emg bench --engine spark` at scale 1, end to end on a real local Spark session and the real
PostgreSQL: the same data goes into both, the whole project is built on each, and the report
carries both engines' build times, their ratio, and where each build's time went (the
expectations are read from the JSON it wrote, never written here)."""

from __future__ import annotations

import json

import pytest
from conftest import run_emg

pytestmark = pytest.mark.spark

ENGINES = ("postgres", "spark")
BUILDS = ("models", "build")


@pytest.fixture(scope="module")
def engines_bench(warehouse, tmp_path_factory):
    """One real run at scale 1 (a few minutes, most of it Spark): (results, out, stdout)."""
    out = tmp_path_factory.mktemp("bench") / "spark.json"
    result = run_emg("bench", "--engine", "spark", "--scales", "1", "--out", str(out), timeout=1800)
    return json.loads(out.read_text()), out, result.stdout


def test_both_engines_build_the_same_project_from_the_same_data(engines_bench):
    results, _, _ = engines_bench
    assert results["engine"] == "spark"
    assert results["machine"]["spark"] and results["machine"]["postgres"]
    [run] = results["scales"]
    assert run["scale"] == 1 and run["rows"] > 0
    assert run["load"]["postgres_s"] > 0 and run["load"]["spark_s"] > 0
    for build in BUILDS:
        postgres = run["build"]["postgres"]["breakdown"][build]["nodes"]
        spark = run["build"]["spark"]["breakdown"][build]["nodes"]
        # the same models and seeds ran on both engines, and some did
        for kind in ("models", "seeds"):
            assert postgres[kind]["count"] == spark[kind]["count"] > 0, (build, kind)
    # the build with tests ran data tests on both; the models-only build ran none
    for engine in ENGINES:
        nodes = run["build"][engine]["breakdown"]
        assert nodes["build"]["nodes"]["tests"]["count"] > 0, engine
        assert nodes["models"]["nodes"]["tests"]["count"] == 0, engine
    assert "--target spark" in run["build"]["spark"]["breakdown"]["build"]["command"]
    assert "--target" not in run["build"]["postgres"]["breakdown"]["build"]["command"]


def test_the_ratio_is_spark_s_time_over_postgres_s(engines_bench):
    results, _, _ = engines_bench
    [run] = results["scales"]
    for build in BUILDS:
        postgres = run["build"]["postgres"][f"{build}_s"]
        spark = run["build"]["spark"][f"{build}_s"]
        assert postgres > 0 and spark > 0
        assert run["spark_vs_postgres"][build] == pytest.approx(spark / postgres, abs=0.01)
        for engine in ENGINES:
            b = run["build"][engine]
            assert b["breakdown"][build]["wall_s"] == pytest.approx(b[f"{build}_s"], abs=0.01)


def test_the_report_shows_both_engines_figures_per_scale(engines_bench):
    results, out, stdout = engines_bench
    [run] = results["scales"]
    table = out.with_suffix(".md").read_text()
    times = " | ".join(
        f"{run['build'][engine][f'{build}_s']:.1f}" for build in BUILDS for engine in ENGINES
    )
    ratios = " | ".join(f"{run['spark_vs_postgres'][build]:.2f}×" for build in BUILDS)
    load = f"{run['load']['postgres_s']:.1f} / {run['load']['spark_s']:.1f}"
    assert f"| 1 | {run['rows']:,} | {load} | {times} | {ratios} |" in table
    for engine in ("PostgreSQL", "Spark"):
        for build in ("models and seeds", "build with tests"):
            wall = run["build"]["postgres" if engine == "PostgreSQL" else "spark"]
            key = "models" if build == "models and seeds" else "build"
            assert f"| 1 | {engine} | {build} | {wall['breakdown'][key]['wall_s']:.1f} |" in table
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table in stdout
