"""The benchmark's Markdown summary states each target as met or missed."""

from pathlib import Path

import pytest

from bench import harness, peak


def figures(rps: float, app_cpu_ms: float) -> dict:
    return {
        "rps": rps,
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "app_cpu_ms": app_cpu_ms,
        "db_cpu_ms": 0.5,
    }


def report(rows: int, output_format: str, peak_rss_mb: float) -> dict:
    return {
        "offer": 7,
        "format": output_format,
        "seconds": 0.5,
        "cpu_seconds": 0.4,
        "peak_rss_mb": peak_rss_mb,
        "rows": rows,
    }


RESULTS = {
    "date": "2026-12-03T22:00:00+00:00",
    "cores": 2,
    "seconds_per_run": 6,
    "repeats": 3,
    "connections": 2,
    "scenarios": [
        {
            "scenario": "list page 1",
            "app": figures(400, 3.5),
            "floor": figures(1000, 0.6),
            "ratio": 0.4,
        },
        {
            "scenario": "get one",
            "app": figures(250, 2.6),
            "floor": figures(1000, 0.4),
            "ratio": 0.25,
        },
        {"scenario": "admin index", "app": figures(300, 5.0)},
    ],
    "missing": ["admin track offers"],
    "report_command": report(10_000, "csv", 70.0),
    "report_memory": [report(100_000, "csv", 71.0), report(100_000, "json", 151.0)],
}


def test_each_target_is_met_or_missed():
    assert harness.target_lines(RESULTS) == [
        "- list page 1: 0.40x the floor's requests/s (target 0.3x): met",
        "- list page 1: 3.50 ms of application CPU (target 4.0 ms): met",
        "- get one: 0.25x the floor's requests/s (target 0.3x): MISSED",
        "- get one: 2.60 ms of application CPU (target 2.5 ms): MISSED",
        "- copy_scan report, 100,000 tracks, CSV: peak RSS 71.0 MB "
        "(target 150 MB): met",
        "- copy_scan report, 100,000 tracks, JSON: peak RSS 151.0 MB "
        "(target 150 MB): MISSED",
    ]


def test_the_table_has_a_row_per_scenario_and_the_report_runs():
    text = harness.markdown(RESULTS)

    assert "| list page 1 | 400 | 1000 | 0.40 | 1.0 / 2.0 | 1.0 / 2.0 |" in text
    assert "| admin index | 300 | - | - | 1.0 / 2.0 | - | 5.00 | 0.50 | - | - |" in (
        text
    )
    assert "| admin track offers | not in this branch (404) |" in text
    assert (
        "`copy_scan report` on offer 7 (100,000 tracks, JSON): 0.5 s wall, "
        "0.4 s CPU, peak RSS 151.0 MB." in text
    )


def test_the_report_wrapper_writes_its_peak_memory_even_on_failure(
    tmp_path, monkeypatch
):
    ran = []

    def failing_command(argv):
        ran.append(argv)
        raise SystemExit(1)

    output = tmp_path / "peak"
    monkeypatch.setattr(peak, "execute_from_command_line", failing_command)
    monkeypatch.setattr("sys.argv", ["peak", str(output), "copy_scan", "report"])

    resident_before = current_rss_kb()

    with pytest.raises(SystemExit):
        peak.main()

    assert ran == [["manage.py", "copy_scan", "report"]]
    # A peak: at least what the process held before the command ran.
    assert int(output.read_text()) >= resident_before > 0


def current_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("/proc/self/status has no VmRSS line")


def test_bench_only_picks_the_named_scenarios_in_their_order():
    chosen = harness.selected(
        harness.SCENARIOS, "get one, list include=track,offer,list page 1"
    )

    assert [scenario.name for scenario in chosen] == [
        "list page 1",
        "list include=track,offer",
        "get one",
    ]
    assert harness.selected(harness.SCENARIOS, "") == harness.SCENARIOS


def test_bench_only_refuses_an_unknown_scenario():
    with pytest.raises(harness.BenchError, match=r"^no such scenario: get two,get on$"):
        harness.selected(harness.SCENARIOS, "get one,get two,get on")
