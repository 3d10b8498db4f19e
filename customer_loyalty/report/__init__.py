from . import member_card_report
from . import loyalty_combo_sale_report
from . import loyalty_package_liability_report
from . import loyalty_retention_facts
from . import loyalty_points_report
