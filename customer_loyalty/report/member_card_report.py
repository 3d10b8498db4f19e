import base64
import binascii
import functools
import io
import logging
import subprocess

from PIL import Image, UnidentifiedImageError

from odoo import api, models
from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

# wkhtmltopdf built on an unpatched Qt (Debian's and Ubuntu's own package) cannot turn off smart
# shrinking: it prints every CSS length at 0.768 of its size (96/125, the same for any page size,
# --dpi or --zoom, which it ignores). The cards are zoomed by the inverse there, so that a card
# measures 85.6 x 54 mm on paper with either build.
UNPATCHED_QT_ZOOM = 125 / 96

# ISO/IEC 7810 ID-1 (credit card), in millimetres.
CARD_WIDTH = 85.6
CARD_HEIGHT = 54.0
LOGO_MAX_WIDTH = 37.0


@functools.cache
def _wkhtmltopdf_has_patched_qt():
    """Whether the wkhtmltopdf binary is the "with patched qt" build (asked once per process)."""
    try:
        out = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"], capture_output=True, text=True, timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True  # no PDF can be printed anyway: keep the true sizes
    patched = "patched qt" in out.lower()
    if not patched:
        _logger.info("wkhtmltopdf without patched Qt: cards zoomed by %.4f", UNPATCHED_QT_ZOOM)
    return patched


class ReportMemberCard(models.AbstractModel):
    """One member card per page of 86 x 54 mm (a card printer, or card stock cut to size).

    Every selected card is in ONE html document and one call of wkhtmltopdf: the unpatched-Qt
    build fails ("Exit with code 1", an empty PDF) when given one document per card."""

    _name = "report.customer_loyalty.report_member_card"
    _description = "Member Card Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        cards = self.env["loyalty.card"].browse(docids)
        # The report is bound to loyalty.card: refuse coupons and gift cards picked in the menu.
        cards._loyalty_check_members()
        companies = cards.company_id | self.env.company
        logo_companies = companies.filtered(lambda c: c.logo and not c.uses_default_logo)
        return {
            "doc_ids": cards.ids,
            "doc_model": "loyalty.card",
            "docs": cards,
            "card_zoom": self._loyalty_card_zoom(data),
            "card_width": CARD_WIDTH,
            "card_height": CARD_HEIGHT,
            # Each company's logo once, as a CSS class: not once per card in the document.
            "logo_companies": logo_companies,
            "logo_widths": {company.id: self._loyalty_logo_width(company)
                            for company in logo_companies},
        }

    @api.model
    def _loyalty_logo_width(self, company):
        """Width in mm of the white box behind the company's logo: the logo 9 mm high, up to
        37 mm wide, and a margin of 1.5 mm."""
        try:
            with Image.open(io.BytesIO(base64.b64decode(company.logo))) as image:
                width, height = image.size
        except (binascii.Error, OSError, UnidentifiedImageError, ValueError):
            return LOGO_MAX_WIDTH + 3  # e.g. an SVG logo: the whole box, the logo fits in it
        return round(min(LOGO_MAX_WIDTH, max(9.0, 9.0 * width / height)) + 3, 2)

    @api.model
    def _loyalty_card_zoom(self, data):
        """The CSS zoom that makes a millimetre a millimetre on paper (1 in the HTML preview)."""
        if (data or {}).get("report_type") != "pdf" or _wkhtmltopdf_has_patched_qt():
            return 1.0
        return UNPATCHED_QT_ZOOM


class ReportMemberCardSheet(models.AbstractModel):
    """Member cards ten to an A4 page (2 columns x 5 rows, edge to edge), with cut marks in the
    margins, for an office printer and card stock."""

    _name = "report.customer_loyalty.report_member_card_sheet"
    _inherit = "report.customer_loyalty.report_member_card"
    _description = "Member Card Sheet Report"

    SHEET_COLUMNS = 2
    SHEET_ROWS = 5

    @api.model
    def _get_report_values(self, docids, data=None):
        values = super()._get_report_values(docids, data=data)
        docs, per_sheet = values["docs"], self.SHEET_COLUMNS * self.SHEET_ROWS
        values.update(
            sheets=[docs[start : start + per_sheet] for start in range(0, len(docs), per_sheet)],
            sheet_columns=self.SHEET_COLUMNS,
            sheet_rows=self.SHEET_ROWS,
            # A4 less the grid, shared equally on both sides.
            sheet_left=round((210 - self.SHEET_COLUMNS * CARD_WIDTH) / 2, 2),
            sheet_top=round((297 - self.SHEET_ROWS * CARD_HEIGHT) / 2, 2),
        )
        return values
