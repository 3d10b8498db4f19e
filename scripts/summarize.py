"""Adds up the JUnit XML reports of the test runs into the one closing line of `make test`.

    python scripts/summarize.py [--skipped-suite NAME:REASON ...] REPORT.xml ...

Prints one line per report, then ``N passed, N failed, N skipped`` alone on the last line,
and exits 1 when a test failed or errored, when a report is missing or unreadable, or when no
test ran at all. A suite that could not run (``--skipped-suite``) is said so plainly and never
counted as passed.
"""

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass


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


def summary_line(counts):
    line = f"{counts.passed} passed, {counts.failed} failed"
    if counts.skipped:
        line += f", {counts.skipped} skipped"
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", help="label=path of a JUnit XML report")
    parser.add_argument("--skipped-suite", action="append", default=[], metavar="NAME:REASON")
    parser.add_argument(
        "--no-skips", action="append", default=[], metavar="LABEL",
        help="a skipped test in this report fails the run (e.g. browser tests without Chromium)",
    )
    args = parser.parse_intermixed_args(argv)
    total, ok = Counts(), True
    for item in args.reports:
        label, _, path = item.rpartition("=")
        label = label or path
        try:
            with open(path, encoding="utf-8") as handle:
                counts = parse_junit(handle.read())
        except (OSError, ET.ParseError) as exc:
            print(f"{label}: no report ({exc})")
            ok = False
            continue
        print(f"{label}: {summary_line(counts)}")
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
