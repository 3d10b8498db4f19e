from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestI18nCatalogue(TransactionCase):
    """Every user-facing string of the addon, as Odoo's own exporter finds it in the installed
    module (Python ``_()``, views, data, QWeb, POS templates and JavaScript), is in
    ``customer_loyalty.pot`` and translated in ``vi.po``. A string added without running
    ``tools/i18n_export.sh`` and translating it fails here."""

    def test_every_term_is_in_the_catalogues(self):
        reader = TranslationModuleReader(self.env.cr, modules=["customer_loyalty"])
        terms = {source for module, _type, _name, _res, source, _value, _comments in reader
                 if module == "customer_loyalty" and source}
        self.assertGreater(len(terms), 100, "the exporter found the addon's terms")
        pot = {entry.msgid for entry in polib.pofile(str(I18N / "customer_loyalty.pot"))}
        vi = {
            entry.msgid for entry in polib.pofile(str(I18N / "vi.po"))
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }
        self.assertFalse(
            sorted(terms - pot),
            "terms missing from customer_loyalty.pot: run tools/i18n_export.sh",
        )
        self.assertFalse(sorted(terms - vi), "terms without a Vietnamese translation in vi.po")
