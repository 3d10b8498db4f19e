"""Pure-Python tests of the project tooling (run without Odoo)."""

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("summarize", ROOT / "scripts" / "summarize.py")
summarize = importlib.util.module_from_spec(spec)
spec.loader.exec_module(summarize)

PYTEST_XML = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest"
errors="1" failures="2" skipped="3" tests="10" time="1.0"></testsuite></testsuites>"""


def test_parse_pytest_report_counts_errors_as_failures():
    counts = summarize.parse_junit(PYTEST_XML)
    assert (counts.passed, counts.failed, counts.skipped) == (4, 3, 3)


def test_bare_testsuite_root():
    counts = summarize.parse_junit('<testsuite tests="2" failures="0" errors="0" skipped="0"/>')
    assert (counts.passed, counts.failed, counts.skipped) == (2, 0, 0)


def test_summary_line_format():
    assert summarize.summary_line(summarize.Counts(5, 0, 0)) == "5 passed, 0 failed"
    assert summarize.summary_line(summarize.Counts(5, 1, 2)) == "5 passed, 1 failed, 2 skipped"


def test_main_adds_reports_and_fails_on_failure(tmp_path, capsys):
    good = tmp_path / "good.xml"
    good.write_text('<testsuite tests="3" failures="0" errors="0" skipped="1"/>')
    bad = tmp_path / "bad.xml"
    bad.write_text('<testsuite tests="2" failures="1" errors="0" skipped="0"/>')
    assert summarize.main([f"odoo={good}"]) == 0
    assert summarize.main([f"odoo={good}", f"py={bad}"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "3 passed, 1 failed, 1 skipped"


@pytest.mark.parametrize("argv", [[], ["--skipped-suite", "odoo:no Odoo source"]])
def test_main_fails_when_nothing_ran(argv, capsys):
    assert summarize.main(argv) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "0 passed, 0 failed"


def test_missing_report_is_a_failure(tmp_path, capsys):
    assert summarize.main([f"odoo={tmp_path / 'nope.xml'}"]) == 1
    assert "no report" in capsys.readouterr().out


def test_skipped_suite_is_said_plainly(tmp_path, capsys):
    good = tmp_path / "good.xml"
    good.write_text('<testsuite tests="1" failures="0" errors="0" skipped="0"/>')
    assert summarize.main(["--skipped-suite", "odoo:no Odoo source", f"py={good}"]) == 0
    assert "odoo: SKIPPED, not run (no Odoo source)" in capsys.readouterr().out


def test_no_skips_makes_a_skip_fail(tmp_path, capsys):
    report = tmp_path / "odoo.xml"
    report.write_text('<testsuite tests="3" failures="0" errors="0" skipped="1"/>')
    assert summarize.main([f"odoo={report}"]) == 0
    assert summarize.main(["--no-skips", "odoo", f"odoo={report}"]) == 1
    assert "skipped where every test must run" in capsys.readouterr().out


def test_options_may_follow_reports(tmp_path, capsys):
    """make test passes the options after some reports: argparse must accept that order."""
    odoo = tmp_path / "odoo.xml"
    odoo.write_text('<testsuite tests="2" failures="0" errors="0" skipped="0"/>')
    python = tmp_path / "python.xml"
    python.write_text('<testsuite tests="1" failures="0" errors="0" skipped="0"/>')
    assert summarize.main([f"odoo={odoo}", "--no-skips", "odoo", f"python={python}"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "3 passed, 0 failed"
