# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, models


class PosSession(models.Model):
    _inherit = "pos.session"

    @api.model
    def _load_pos_data_models(self, config_id):
        # After pos.order.line: the packages of the reloaded draft orders' lines are loaded.
        return [*super()._load_pos_data_models(config_id), "loyalty.package"]
