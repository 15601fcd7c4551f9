"""``jalon bench psplib``: JSON shape, table, defaults for the solution table, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from jalon.cli.main import app

PSPLIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "psplib"
ENV: dict[str, str | None] = {"COLUMNS": "100", "FORCE_COLOR": None, "JALON_DEBUG": None}

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, ["bench", "psplib", *(str(a) for a in args)], env=ENV)


@pytest.fixture(scope="module")
def j30() -> Path:
    folder = PSPLIB / "j30"
    if not folder.is_dir():
        pytest.skip(f"PSPLIB j30 not found under {folder}")
    return folder


def test_json_fast_mode_on_a_sample(j30: Path) -> None:
    result = run(j30, "--mode", "fast", "--sample", "96", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "instances",
        "mean_gap_best_known_pct",
        "mean_dev_cpm_lb_pct",
        "optimal",
        "mean_seconds",
        "max_seconds",
        "per_instance",
    }
    assert data["instances"] == 5  # 480 files, every 96th in name order
    names = [r["name"] for r in data["per_instance"]]
    assert names == sorted(names)
    for row in data["per_instance"]:
        assert set(row) == {"name", "makespan", "best_known", "cpm_lb", "status", "seconds"}
        # the j30opt.sm table was found on its own: every optimum is known and proven
        assert row["cpm_lb"] <= row["best_known"] <= row["makespan"]
        assert row["status"] in ("heuristic", "optimal")
    assert data["mean_gap_best_known_pct"] >= 0
    assert data["max_seconds"] >= data["mean_seconds"] > 0


def test_table_in_optimal_mode(j30: Path) -> None:
    result = run(j30, "--sample", "240", "--time-limit", "30")
    assert result.exit_code == 0, result.output
    assert "PSPLIB j30: optimal mode, solutions from j30opt.sm" in result.stdout
    assert "proven optimal" in result.stdout


def test_missing_folder() -> None:
    result = run("/nonexistent/psplib")
    assert result.exit_code == 2
    assert "no such folder" in result.stderr


def test_folder_without_instances(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "no .sm files" in result.stderr


def test_bad_instance_file_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "j301_1.sm").write_text("jobs (incl. supersource/sink ):  x\n", encoding="utf-8")
    result = run(tmp_path)
    assert result.exit_code == 1
    assert "j301_1.sm:1:" in result.stderr
    assert "Traceback" not in result.output


def test_bad_solution_table(j30: Path, tmp_path: Path) -> None:
    table = tmp_path / "table.sm"
    table.write_text("nothing here\n", encoding="utf-8")
    result = run(j30, "--solutions", table, "--sample", "480", "--mode", "fast")
    assert result.exit_code == 1
    assert "not a PSPLIB solution table" in result.stderr
