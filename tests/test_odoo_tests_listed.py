"""Odoo's own test runner (``odoo-bin --test-enable``, as OCA's CI runs it) only runs the test
modules that ``customer_loyalty/tests/__init__.py`` imports; pytest-odoo runs every file. A test
file missing from the package would pass one runner unseen by the other."""

import pathlib
import re

TESTS = pathlib.Path(__file__).resolve().parents[1] / "customer_loyalty" / "tests"


def test_every_test_module_is_imported_by_the_package():
    files = {path.stem for path in TESTS.glob("test_*.py")}
    imported = set(re.findall(r"^from \. import (test_\w+)", (TESTS / "__init__.py").read_text(),
                              re.M))
    assert files - imported == set(), "add them to customer_loyalty/tests/__init__.py"
    assert imported - files == set(), "imported test modules that do not exist"
