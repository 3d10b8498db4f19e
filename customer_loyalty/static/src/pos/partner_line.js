/** Cashiers can enrol a customer from the customer list. */
import { PartnerLine } from "@point_of_sale/app/screens/partner_list/partner_line/partner_line";
import { patch } from "@web/core/utils/patch";
import { useService } from "@web/core/utils/hooks";
import { _t } from "@web/core/l10n/translation";

patch(PartnerLine.prototype, {
    setup() {
        super.setup(...arguments);
        this.notification = useService("notification");
    },
    async loyaltyEnrol(ev) {
        ev.stopPropagation();
        await this.pos.data.call("res.partner", "action_loyalty_enroll", [[this.props.partner.id]]);
        await this.pos.loyaltyRefreshMembers([this.props.partner.id]);
        this.notification.add(_t("%s is now a member.", this.props.partner.name), {
            type: "success",
        });
    },
});
