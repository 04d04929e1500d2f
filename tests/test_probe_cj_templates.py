"""Template rules from blind probe CJ (twelve unseen systems: Infinispan, QuestDB, Dapr,
Longhorn, ...)."""

from __future__ import annotations

import random

import polars as pl

from rcakit import TemplateMiner


def _templates(messages: list[str]) -> dict[str, int]:
    miner = TemplateMiner()
    miner.fit_transform(pl.DataFrame({"body": messages}))
    return dict(miner.templates_.select("template", "count").iter_rows())


def test_a_list_closed_before_the_message_goes_on_is_one_variable_however_long():
    """Infinispan's ``ISPN100010: Finished rebalance with members [infinispan-0-48291,
    infinispan-3-9921], topology id 381``: a list of one, two or three members is one event.
    Lists of different lengths were merged only where the closing bracket ended its token;
    ``],`` before the message went on kept the one-member lists apart."""
    rng = random.Random(3)

    def member() -> str:
        return f"infinispan-{rng.randint(0, 3)}-{rng.randint(1000, 60000)}"

    messages = []
    for _ in range(200):
        members = ", ".join(member() for _ in range(rng.choice((1, 2, 3))))
        messages.append(f"ISPN100010: Finished rebalance with members [{members}], topology id {rng.randint(1, 500)}")
        messages.append(f"ISPN100008: Updating cache members list [{members}]; topology id {rng.randint(1, 500)}")
    found = _templates(messages)
    assert len(found) == 2, found
    assert sorted(found.values()) == [200, 200]


def test_a_keys_value_in_backticks_is_one_variable():
    """QuestDB quotes the statement and the error text in backticks: ``error [msg=`table does
    not exist [table=orders]`, errno=-1, q=`SELECT count() FROM orders`]``; each statement
    and each error text made an event of its own."""
    rng = random.Random(5)
    statements = ("show columns from 'orders'", "SELECT count() FROM trades", "select * from sensors limit 10",
                  "tables()", "quotes where timestamp in '2024-03-05' sample by 1h")
    errors = ("unexpected token: from", "table does not exist [table=orders]", "Invalid column: pricee")
    messages = []
    for _ in range(150):
        messages.append(
            f"[{rng.randint(1, 900)}] error [msg=`{rng.choice(errors)}`, errno=-1, q=`{rng.choice(statements)}`]"
        )
        messages.append(f"[{rng.randint(1, 900)}] exec [q=`{rng.choice(statements)}`]")
    found = _templates(messages)
    assert len(found) == 2, found
    # (a single word in backticks is left to Drain, as in quotes: it may name the event)
    assert any("q=`<STR>`" in t for t in found)
