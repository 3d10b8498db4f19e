"""What one sales-order confirmation looks up several times, looked up once.

A confirmation asks for the customer's member card (the lock, the points multiplier, the tier
update) and for the card's pending points more than once; each ask was a query (the company's
tier ladder, asked for as often, is cached for longer: ``loyalty.tier._loyalty_ladder_rows``).
Inside ``loyalty_memo()`` (opened by ``sale.order.action_confirm``) the answers are
kept until the confirmation returns, and dropped as soon as what they depend on changes: a member
card created, archived, deleted or given to another holder (its holders are forgotten), a
ledger line written on a card (its pending points). Outside it every ask queries, as before.

A context variable, not a context key: it lives as long as the ``with`` block of the current call
and cannot be set over RPC.
"""

import contextlib
import contextvars

_MEMO = contextvars.ContextVar("loyalty_memo", default=None)


@contextlib.contextmanager
def loyalty_memo():
    """Keep the answers of the enclosed block's lookups (a nested block shares the outer memo)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memo_of(kind):
    """The memo's dict for ``kind`` (``"member_cards"``...), None outside ``loyalty_memo()``."""
    memo = _MEMO.get()
    if memo is None:
        return None
    return memo.setdefault(kind, {})


def forget_memo(kind, keys):
    """Drop what the memo knows of ``kind`` for ``keys`` (a collection, or a predicate on the
    memo's keys)."""
    memo = _MEMO.get()
    if not memo or kind not in memo:
        return
    entries = memo[kind]
    doomed = [key for key in entries if keys(key)] if callable(keys) else keys
    for key in doomed:
        entries.pop(key, None)
