"""Pure-Python checks of the Vietnamese catalogue of customer_loyalty (run without Odoo).

vi.po must translate every message of customer_loyalty.pot, with no empty, fuzzy or obsolete
entry, and keep the placeholders (``%(name)s``, ``%s``, ``{{ ... }}``) and the markup of each
message.
"""

import collections
import pathlib
import re

import polib
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
I18N = ROOT / "customer_loyalty" / "i18n"
POT_PATH = I18N / "customer_loyalty.pot"
PO_PATH = I18N / "vi.po"

# Python %-formatting: %(name)s, %s, %d, %.2f, … ("%%" is a literal percent sign).
PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0+-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[%diouxXeEfFgGcrsa])"
)
JINJA = re.compile(r"\{\{.*?\}\}", re.S)
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)([^>]*?)(/?)\s*>", re.S)


@pytest.fixture(scope="module")
def pot():
    return polib.pofile(str(POT_PATH))


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _label(entry):
    return repr(entry.msgid[:70])


def _translations(entry):
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def printf_placeholders(text):
    """(set of named placeholders, Counter of positional conversions) of ``text``."""
    named, positional = set(), collections.Counter()
    for match in PRINTF.finditer(text):
        if match["conv"] == "%":
            continue
        if match["name"] is not None:
            named.add(match.group(0))
        else:
            positional[match.group(0)] += 1
    return named, positional


def tag_skeleton(text):
    """The sequence of HTML/QWeb tags of ``text``, with their attributes."""
    return [m.group(0) for m in TAG.finditer(text)]


def test_po_header(po):
    assert po.metadata.get("Language") == "vi"
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")


def test_every_pot_message_is_in_po(pot, po):
    po_keys = {_key(e) for e in po if not e.obsolete}
    missing = [_label(e) for e in pot if _key(e) not in po_keys]
    assert not missing, f"{len(missing)} message(s) of the .pot missing from vi.po: {missing}"


def test_no_message_outside_pot(pot, po):
    pot_keys = {_key(e) for e in pot}
    extra = [_label(e) for e in po if not e.obsolete and _key(e) not in pot_keys]
    assert not extra, f"vi.po has message(s) not in the .pot (re-run msgmerge): {extra}"


def test_no_obsolete_entry(po):
    obsolete = [_label(e) for e in po.obsolete_entries()]
    assert not obsolete, f"vi.po has obsolete (#~) entries: {obsolete}"


def test_no_fuzzy_entry(po):
    fuzzy = [_label(e) for e in po if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in vi.po: {fuzzy}"


def test_no_empty_translation(po):
    empty = [_label(e) for e in po if not e.obsolete and not all(_translations(e))]
    assert not empty, f"{len(empty)} untranslated entries in vi.po: {empty}"


def test_printf_placeholders_kept(po):
    bad = []
    for entry in po:
        if entry.obsolete:
            continue
        expected = printf_placeholders(entry.msgid)
        for msgstr in _translations(entry):
            if msgstr and printf_placeholders(msgstr) != expected:
                bad.append((entry.msgid, msgstr))
    assert not bad, f"%-placeholders differ between msgid and msgstr: {bad}"


def test_template_placeholders_kept(po):
    bad = []
    for entry in po:
        if entry.obsolete:
            continue
        expected = sorted(JINJA.findall(entry.msgid))
        for msgstr in _translations(entry):
            if msgstr and sorted(JINJA.findall(msgstr)) != expected:
                bad.append((entry.msgid, msgstr))
    assert not bad, f"{{{{ ... }}}} expressions differ between msgid and msgstr: {bad}"


def test_markup_kept(po):
    bad = []
    for entry in po:
        if entry.obsolete or "<" not in entry.msgid:
            continue
        expected = tag_skeleton(entry.msgid)
        for msgstr in _translations(entry):
            if msgstr and tag_skeleton(msgstr) != expected:
                bad.append(_label(entry))
    assert not bad, f"HTML/QWeb tags or attributes differ between msgid and msgstr: {bad}"


@pytest.mark.parametrize(
    ("text", "named", "positional"),
    [
        ("%(count)s tier change(s).", {"%(count)s"}, {}),
        ("%s and %s, 100%%", set(), {"%s": 2}),
        ("(%(high_value)s < %(low_value)s)", {"%(high_value)s", "%(low_value)s"}, {}),
        ("%d items at %.2f", set(), {"%d": 1, "%.2f": 1}),
    ],
)
def test_printf_placeholder_parser(text, named, positional):
    assert printf_placeholders(text) == (named, collections.Counter(positional))
