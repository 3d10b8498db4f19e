from . import member_card_report
from . import loyalty_combo_sale_report
