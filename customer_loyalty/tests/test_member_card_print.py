import base64
import io
import re
from unittest.mock import patch

import PyPDF2
from PIL import Image

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .test_member_card import MemberCardCommon

MM_PER_PT = 25.4 / 72
REPORT_MODULE = "odoo.addons.customer_loyalty.report.member_card_report"
CARD = "customer_loyalty.action_report_member_card"
SHEET = "customer_loyalty.action_report_member_card_sheet"


def _png(width, height, colour="#e83e8c"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


def _card_blocks(html):
    """The HTML of each printed card, by card id, in the order printed."""
    parts = re.split(r'<div class="o_member_card" data-card-id="(\d+)"', html)
    return [(int(card_id), block) for card_id, block in zip(parts[1::2], parts[2::2], strict=True)]


@tagged("post_install", "-at_install")
class TestMemberCardReport(MemberCardCommon):
    """The printable card, as HTML: company, member, tier on its colour, card number and QR code,
    in the member's language, every selected card in one document."""

    def _html(self, report, cards, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        html, report_format = Report._render_qweb_html(report, cards.ids)
        self.assertEqual(report_format, "html")
        return html.decode()

    def test_report_html(self):
        html = self._html(CARD, self.card, user=self.loyalty_user)
        self.assertIn("Alice Nguyen", html)
        self.assertIn("Silver", html)
        self.assertIn(self.card.code, html)
        self.assertIn("Loyalty Test Shop", html)
        self.assertIn("background-color: #304be0", html, "the tier's colour")
        self.assertIn(f"data:image/png;base64,{self.card.qr_code.decode()}", html, "the QR code")
        self.assertIn("width: 85.6mm; height: 53.5mm", html, "true size, 0.5 mm short of the page")
        self.assertIn("zoom: 1.0;", html, "no zoom in the HTML preview")

    def test_all_cards_in_one_document(self):
        """Debian's wkhtmltopdf fails on several documents: one article holds every card, in
        the order selected, each on its own page."""
        bob_card = self._enrol(self.bob)
        html = self._html(CARD, bob_card | self.card)
        self.assertEqual(html.count('class="article'), 1)
        self.assertEqual([card_id for card_id, _block in _card_blocks(html)],
                         [bob_card.id, self.card.id])
        self.assertEqual(html.count("o_member_card_break"), 2, "a page break after the first")
        self.assertIn("Bob Tran", html)

    def test_sheet_places_ten_cards_per_page(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Sheet Member {number:02d}"} for number in range(1, 13)]
        )
        cards = self._enrol(partners)
        html = self._html(SHEET, cards)
        self.assertEqual(html.count('class="article'), 1)
        self.assertEqual(html.count("o_member_card_sheet"), 2, "12 cards: two A4 pages")
        self.assertEqual([card_id for card_id, _block in _card_blocks(html)], cards.ids)
        # 2 x 85.6 mm wide, 5 x 54 mm high, centred on A4 (210 x 297 mm): the grid starts at
        # (210 - 171.2) / 2 = 19.4 mm and (297 - 270) / 2 = 13.5 mm. Card 4 is column 2, row 2,
        # card 11 the first of the second page.
        positions = re.findall(r"position: absolute; left: ([\d.]+)mm; top: ([\d.]+)mm;\">\s*"
                               r"<div class=\"o_member_card\"", html)
        self.assertEqual(len(positions), 12)
        self.assertEqual(positions[0], ("19.4", "13.5"))
        self.assertEqual(positions[3], ("105.0", "67.5"))
        self.assertEqual(positions[9], ("105.0", "229.5"))
        self.assertEqual(positions[10], ("19.4", "13.5"))
        # Cut marks: 3 vertical cut lines x 2 ends + 6 horizontal ones x 2 ends, on each page.
        self.assertEqual(html.count('class="o_member_card_cut"'), 2 * (3 * 2 + 6 * 2))

    def test_card_in_the_members_language(self):
        """Each card speaks its holder's language, several languages in one print run."""
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env.ref("customer_loyalty.report_member_card_document").update_field_translations(
            "arch_db", {"vi_VN": {"Member Card": "Thẻ thành viên", "Card Number": "Số thẻ"}}
        )
        self.bob.lang = "vi_VN"
        bob_card = self._enrol(self.bob)
        for report in (CARD, SHEET):
            blocks = dict(_card_blocks(self._html(report, self.card | bob_card)))
            self.assertIn("Thẻ thành viên", blocks[bob_card.id])
            self.assertIn("Số thẻ", blocks[bob_card.id])
            self.assertNotIn("Member Card", blocks[bob_card.id])
            self.assertIn("Member Card", blocks[self.card.id])
            self.assertIn("Card Number", blocks[self.card.id])
            self.assertNotIn("Thẻ thành viên", blocks[self.card.id])

    def test_company_logo_replaces_the_placeholder(self):
        self.assertTrue(self.company.uses_default_logo, "a new company has Odoo's placeholder")
        bob_card = self._enrol(self.bob)
        html = self._html(CARD, self.card | bob_card)
        self.assertNotIn("o_member_card_logo", html, "no placeholder logo on the card")
        self.assertEqual(html.count('class="o_member_card_company"'), 2, "the shop's name instead")

        logo = _png(400, 100)
        self.company.logo = logo
        html = self._html(CARD, self.card | bob_card)
        self.assertNotIn('class="o_member_card_company"', html)
        self.assertEqual(html.count(f"o_member_card_logo_{self.company.id}\""), 2, "on both cards")
        self.assertEqual(html.count(logo.decode()), 1, "the image itself once in the document")
        # A 4:1 logo 9 mm high is 36 mm wide, in a white box 1.5 mm wider on each side.
        self.assertIn("width: 39.0mm; height: 11mm", html)
        self.assertIn("Loyalty Test Shop", html, "the shop's name is still printed")

    def test_logo_box_follows_the_logo(self):
        Report = self.env["report.customer_loyalty.report_member_card"]
        for size, width in (((400, 100), 39.0), ((100, 100), 12.0), ((2000, 100), 40.0),
                            ((50, 100), 12.0)):
            self.company.logo = _png(*size)
            self.assertEqual(Report._loyalty_logo_width(self.company), width, size)
        self.company.logo = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        self.assertEqual(Report._loyalty_logo_width(self.company), 40.0, "unknown size: all of it")

    def test_zoom_makes_true_millimetres(self):
        """Unpatched Qt prints every length at 96/125 of its size: the PDF is zoomed by the
        inverse there, and only there."""
        Report = self.env["report.customer_loyalty.report_member_card"]
        with patch(f"{REPORT_MODULE}._wkhtmltopdf_has_patched_qt", return_value=False):
            self.assertEqual(Report._loyalty_card_zoom({"report_type": "pdf"}), 125 / 96)
            self.assertEqual(Report._loyalty_card_zoom({"report_type": "html"}), 1.0)
            self.assertEqual(Report._loyalty_card_zoom(None), 1.0)
        with patch(f"{REPORT_MODULE}._wkhtmltopdf_has_patched_qt", return_value=True):
            self.assertEqual(Report._loyalty_card_zoom({"report_type": "pdf"}), 1.0)

    def test_paperformats(self):
        card = self.env.ref("customer_loyalty.action_report_member_card").paperformat_id
        # Portrait width x height turned by the landscape orientation: 86 x 54 mm.
        self.assertEqual((card.format, card.orientation), ("custom", "Landscape"))
        self.assertEqual((card.page_height, card.page_width), (86, 54))
        sheet = self.env.ref("customer_loyalty.action_report_member_card_sheet").paperformat_id
        self.assertEqual((sheet.format, sheet.orientation), ("A4", "Portrait"))
        for paper in (card, sheet):
            self.assertEqual(
                (paper.margin_top, paper.margin_bottom, paper.margin_left, paper.margin_right),
                (0, 0, 0, 0),
            )
            self.assertTrue(paper.disable_shrinking)

    def test_both_layouts_in_the_print_menu_of_members(self):
        card_model = self.env.ref("loyalty.model_loyalty_card")
        group = self.env.ref("customer_loyalty.group_loyalty_user")
        for xmlid in (CARD, SHEET):
            report = self.env.ref(xmlid)
            self.assertEqual((report.binding_model_id, report.binding_type), (card_model, "report"))
            self.assertEqual(report.groups_id, group)

    def test_print_actions(self):
        action = self.card.with_user(self.loyalty_user).action_loyalty_print_card()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "customer_loyalty.report_member_card")
        self.assertEqual(action["context"]["active_ids"], self.card.ids)
        action = self.alice.with_user(self.loyalty_user).action_loyalty_print_card()
        self.assertEqual(action["context"]["active_ids"], self.card.ids, "printed from the contact")
        with self.assertRaisesRegex(UserError, "no member card"):
            self.bob.action_loyalty_print_card()

    def test_cards_of_another_company_are_not_printed(self):
        """The report reads the cards as the user printing them: another shop's members stay
        out of reach, in both layouts."""
        other = self.env["res.company"].create({"name": "Other Shop"})
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        other_card = self._enrol(stranger, company=other)
        for report in (CARD, SHEET):
            with self.assertRaises(AccessError):
                self._html(report, other_card, user=self.loyalty_user)
        self.assertIn("Stranger", self._html(CARD, other_card), "the card itself prints")

    def test_report_refuses_coupons(self):
        coupon = self._coupon()
        with self.assertRaisesRegex(UserError, "not member cards"):
            coupon.action_loyalty_print_card()
        for report in (CARD, SHEET):
            with self.assertRaisesRegex(UserError, "not member cards"):
                self._html(report, self.card | coupon)


@tagged("post_install", "-at_install")
class TestMemberCardPdf(MemberCardCommon, HttpCase):
    """The PDFs, made by the wkhtmltopdf of this machine (Debian's unpatched-Qt build fails on
    several documents in one call, and shrinks what it prints).

    An HttpCase: wkhtmltopdf fetches the report's CSS from this very server, and only a test in
    the registry's test mode gets an answer under Odoo's own test runner (the runner holds the
    registry lock while it runs the tests: a plain TransactionCase would wait forever)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.env["ir.actions.report"].get_wkhtmltopdf_state() not in ("ok", "upgrade"):
            cls.skipTest(cls, "wkhtmltopdf is not installed: the member cards' PDF is not checked")
        cls.members = cls.env["res.partner"].create(
            [{"name": f"Member {number:02d}", "email": f"member{number:02d}@example.com"}
             for number in range(1, 26)]
        )
        cls.cards = cls._enrol(cls.members)

    def _pdf_pages(self, report, cards):
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            pdf, report_format = Report._render_qweb_pdf(report, cards.ids)
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        return PyPDF2.PdfReader(io.BytesIO(pdf)).pages

    @staticmethod
    def _size_mm(page):
        return (round(float(page.mediabox.width) * MM_PER_PT),
                round(float(page.mediabox.height) * MM_PER_PT))

    @staticmethod
    def _text(page):
        return " ".join(page.extract_text().split())

    @staticmethod
    def _images_mm(page):
        """(left, width) in mm of each image drawn on the page: the QR codes."""
        images = []

        def visit(operator, _operands, matrix, _text_matrix):
            if operator == b"Do":
                width = (matrix[0] ** 2 + matrix[1] ** 2) ** 0.5
                images.append((matrix[4] * MM_PER_PT, width * MM_PER_PT))

        page.extract_text(visitor_operand_before=visit)
        return images

    def assertQrCodes(self, page, lefts):
        """The page draws a QR code at each of ``lefts`` (mm), each 32 mm wide as in the
        template: the card is printed at its true size, not shrunk."""
        images = self._images_mm(page)
        self.assertEqual(len(images), len(lefts), "one QR code per card")
        for (left, width), expected_left in zip(images, lefts, strict=True):
            self.assertAlmostEqual(width, 32, delta=0.5)
            self.assertAlmostEqual(left, expected_left, delta=0.5)

    def test_one_card(self):
        pages = self._pdf_pages(CARD, self.card)
        self.assertEqual(len(pages), 1)
        self.assertEqual(self._size_mm(pages[0]), (86, 54))
        self.assertIn("Alice Nguyen", self._text(pages[0]))
        # The QR code's left edge: 0.2 mm + 85.6 mm - 2.5 mm - 32 mm.
        self.assertQrCodes(pages[0], [51.3])

    def test_25_cards_one_per_page(self):
        pages = self._pdf_pages(CARD, self.cards)
        self.assertEqual(len(pages), 25)
        for page, card in zip(pages, self.cards, strict=True):
            self.assertEqual(self._size_mm(page), (86, 54))
            text = self._text(page)
            self.assertIn(card.partner_id.name, text)
            self.assertIn(card.code, text)
            self.assertQrCodes(page, [51.3])

    def test_25_cards_on_a4_sheets(self):
        pages = self._pdf_pages(SHEET, self.cards)
        self.assertEqual(len(pages), 3, "25 cards, 10 per page")
        for index, page in enumerate(pages):
            self.assertEqual(self._size_mm(page), (210, 297))
            on_page = self.cards[index * 10 : index * 10 + 10]
            self.assertEqual(len(on_page), (10, 10, 5)[index])
            text = self._text(page)
            for card in self.cards:
                check = self.assertIn if card in on_page else self.assertNotIn
                check(card.partner_id.name, text)
            # Two columns, the QR code 51.1 mm from the card's left edge: 19.4 + 51.1 mm and
            # 19.4 + 85.6 + 51.1 mm; the fifth row of the last page has one card.
            lefts = [70.5, 156.1] * (len(on_page) // 2) + [70.5] * (len(on_page) % 2)
            self.assertQrCodes(page, lefts)

    def test_member_card_pdf_in_vietnamese(self):
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env.ref("customer_loyalty.report_member_card_document").update_field_translations(
            "arch_db", {"vi_VN": {"Card Number": "Số thẻ"}}
        )
        self.members[0].lang = "vi_VN"
        pages = self._pdf_pages(CARD, self.cards[:2])
        self.assertIn("SỐ THẺ", self._text(pages[0]))
        self.assertIn("CARD NUMBER", self._text(pages[1]))
