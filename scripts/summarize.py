"""Adds up the reports of the test runs into the one closing line of `make test`.

    python scripts/summarize.py [--skipped-suite NAME:REASON ...] [--no-skips LABEL ...]
        [--odoo-log LABEL=ODOO.log ...] LABEL=REPORT.xml ...

A report is a JUnit XML file (pytest) or, with ``--odoo-log``, the log of Odoo's own test
runner (``odoo-bin --test-enable --log-level=test``), read from its closing line
``odoo.tests.result: N failed, N error(s) of N tests when loading database 'DB'`` and its
``skipped`` lines.

Prints one line per report, then ``N passed, N failed, N skipped`` alone on the last line,
and exits 1 when a test failed or errored, when a report is missing or unreadable (an Odoo log
without its closing line: the runner crashed or was killed), or when no test ran at all. A suite
that could not run (``--skipped-suite``) is said so plainly and never counted as passed.
"""

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass

# The closing line of Odoo's test runner (odoo/service/server.py), one per database.
ODOO_RESULT = re.compile(
    r" odoo\.tests\.result: (?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of "
    r"(?P<tests>\d+) tests when loading database '(?P<db>[^']*)'"
)
# A skipped test (OdooTestResult.addSkip), logged by the test's module: "skipped <test> : <why>".
# A whole class skipped in setUpClass is one line for a "setUpClass (...)" pseudo-test that the
# runner does not count among the tests run.
ODOO_SKIP = re.compile(r" INFO \S+ [\w.]+: skipped (?P<test>.*?) : ")


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __iadd__(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        return self

    @property
    def total(self):
        return self.passed + self.failed + self.skipped


def parse_junit(text):
    """Return the Counts of one JUnit XML document (pytest's format: <testsuites><testsuite>
    or a bare <testsuite>); errors count as failures."""
    root = ET.fromstring(text)
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = Counts()
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts += Counts(passed=tests - failed - skipped, failed=failed, skipped=skipped)
    return counts


class OdooLogError(ValueError):
    """The log holds no result of Odoo's test runner."""


def parse_odoo_log(text):
    """Return the Counts of one log of Odoo's test runner: failures and errors are failed,
    skipped tests skipped, the other tests run passed (a failed subtest counts once more)."""
    results = list(ODOO_RESULT.finditer(text))
    if not results:
        raise OdooLogError("no line 'odoo.tests.result: ... when loading database' (runner died?)")
    result = results[-1]
    failed = int(result["failed"]) + int(result["errors"])
    skips = [match["test"] for match in ODOO_SKIP.finditer(text)]
    skipped_run = sum(1 for test in skips if not test.startswith("setUpClass ("))
    passed = max(int(result["tests"]) - failed - skipped_run, 0)
    return Counts(passed=passed, failed=failed, skipped=len(skips))


def summary_line(counts):
    line = f"{counts.passed} passed, {counts.failed} failed"
    if counts.skipped:
        line += f", {counts.skipped} skipped"
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", help="label=path of a JUnit XML report")
    parser.add_argument(
        "--odoo-log", action="append", default=[], metavar="LABEL=PATH",
        help="the log of Odoo's own test runner (--test-enable --log-level=test)",
    )
    parser.add_argument("--skipped-suite", action="append", default=[], metavar="NAME:REASON")
    parser.add_argument(
        "--no-skips", action="append", default=[], metavar="LABEL",
        help="a skipped test in this report fails the run (e.g. browser tests without Chromium)",
    )
    args = parser.parse_intermixed_args(argv)
    total, ok = Counts(), True
    reports = [(item, parse_junit) for item in args.reports]
    reports += [(item, parse_odoo_log) for item in args.odoo_log]
    for item, parse in reports:
        label, _, path = item.rpartition("=")
        label = label or path
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                counts = parse(handle.read())
        except (OSError, ET.ParseError, OdooLogError) as exc:
            print(f"{label}: no report ({exc})")
            ok = False
            continue
        print(f"{label}: {summary_line(counts)}")
        if not counts.total:
            print(f"{label}: no test ran")
            ok = False
        if counts.skipped and label in args.no_skips:
            print(f"{label}: {counts.skipped} test(s) skipped where every test must run")
            ok = False
        total += counts
    for item in args.skipped_suite:
        name, _, reason = item.partition(":")
        print(f"{name}: SKIPPED, not run ({reason.strip() or 'no reason given'})")
    print(summary_line(total))
    if total.failed or not total.total:
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
