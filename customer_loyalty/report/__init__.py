from . import member_card_report
