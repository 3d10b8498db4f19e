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


# Lines of a real log of Odoo's runner (odoo-bin -i customer_loyalty --test-enable
# --log-level=test), shortened.
ODOO_LOG_OK = """\
2026-12-01 09:18:01,017 15345 INFO loyalty_test odoo.modules.loading: 1 modules loaded
2026-12-01 09:18:02,001 15345 INFO loyalty_test odoo.addons.customer_loyalty.tests.test_x: \
Starting TestX.test_a ...
2026-12-01 09:19:01,176 15345 INFO loyalty_test odoo.service.server: 16 post-tests in 51.84s
2026-12-01 09:19:01,176 15345 INFO loyalty_test odoo.tests.result: 0 failed, 0 error(s) of 16 \
tests when loading database 'loyalty_test'
"""
ODOO_LOG_BAD = """\
2026-12-01 09:18:02,001 15345 INFO loyalty_test odoo.addons.customer_loyalty.tests.test_x: \
skipped TestX.test_pdf : wkhtmltopdf is not installed
2026-12-01 09:18:02,001 15345 INFO loyalty_test unittest.suite: skipped setUpClass \
(odoo.addons.customer_loyalty.tests.test_y.TestY) : no Chromium
2026-12-01 09:18:03,001 15345 ERROR loyalty_test odoo.addons.customer_loyalty.tests.test_x: \
FAIL: TestX.test_b
2026-12-01 09:19:01,176 15345 ERROR loyalty_test odoo.tests.result: 2 failed, 1 error(s) of 20 \
tests when loading database 'loyalty_test'
"""


def test_parse_odoo_log():
    assert summarize.parse_odoo_log(ODOO_LOG_OK) == summarize.Counts(16, 0, 0)
    # 20 tests run: 3 failed or errored, 1 skipped among them; the class skipped in setUpClass
    # is one more skip that the runner did not count as run.
    assert summarize.parse_odoo_log(ODOO_LOG_BAD) == summarize.Counts(16, 3, 2)


def test_odoo_log_without_result_line_is_a_failure(tmp_path, capsys):
    """The runner died or was killed (e.g. a test waiting forever): no closing line."""
    log = tmp_path / "odoo-runner.log"
    log.write_text(ODOO_LOG_OK.rsplit("\n", 2)[0])
    with pytest.raises(summarize.OdooLogError):
        summarize.parse_odoo_log(log.read_text())
    good = tmp_path / "good.xml"
    good.write_text('<testsuite tests="1" failures="0" errors="0" skipped="0"/>')
    assert summarize.main([f"py={good}", "--odoo-log", f"odoo-runner={log}"]) == 1
    out = capsys.readouterr().out
    assert "odoo-runner: no report (no line 'odoo.tests.result" in out
    assert out.strip().splitlines()[-1] == "1 passed, 0 failed"


def test_main_adds_odoo_log_to_junit_reports(tmp_path, capsys):
    log = tmp_path / "odoo-runner.log"
    log.write_text(ODOO_LOG_OK)
    junit = tmp_path / "odoo.xml"
    junit.write_text('<testsuite tests="3" failures="0" errors="0" skipped="0"/>')
    assert summarize.main([f"odoo={junit}", "--odoo-log", f"odoo-runner={log}"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == ["odoo: 3 passed, 0 failed", "odoo-runner: 16 passed, 0 failed",
                     "19 passed, 0 failed"]
    log.write_text(ODOO_LOG_BAD)
    assert summarize.main([f"odoo={junit}", "--odoo-log", f"odoo-runner={log}"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "19 passed, 3 failed, 2 skipped"


def test_odoo_log_skips_fail_where_required(tmp_path, capsys):
    log = tmp_path / "odoo-runner.log"
    log.write_text(ODOO_LOG_BAD.replace("2 failed, 1 error(s)", "0 failed, 0 error(s)"))
    assert summarize.main(["--odoo-log", f"odoo-runner={log}"]) == 0
    assert summarize.main(["--odoo-log", f"odoo-runner={log}", "--no-skips", "odoo-runner"]) == 1
    assert "odoo-runner: 2 test(s) skipped where every test must run" in capsys.readouterr().out


def test_report_without_tests_is_a_failure(tmp_path, capsys):
    """Odoo's runner matching no test (a wrong --test-tags) says '0 tests': not a pass."""
    log = tmp_path / "odoo-runner.log"
    log.write_text(ODOO_LOG_OK.replace("of 16 tests", "of 0 tests"))
    good = tmp_path / "good.xml"
    good.write_text('<testsuite tests="1" failures="0" errors="0" skipped="0"/>')
    assert summarize.main([f"py={good}", "--odoo-log", f"odoo-runner={log}"]) == 1
    assert "odoo-runner: no test ran" in capsys.readouterr().out
