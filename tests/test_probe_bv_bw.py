"""Rules from the thirty-fourth session's blind probes: BV (a tax-filing portal's incidents),
BW (12 unseen log systems' templates), and what probe BU had left (Sonarr's names). Each test
fails on the code before the session."""

from __future__ import annotations

import polars as pl

import rcakit


def _templates(lines: list[str]) -> list[str]:
    out = rcakit.mine_templates(pl.DataFrame({"body": lines}))
    return out["template"].to_list()


def test_a_name_of_several_words_after_a_preposition_is_one_value():
    # Sonarr's series titles end the message: one event, not one per title's word count
    # (probe BU: "Scanning disk for <*>" in 8 groups, GA 0.669)
    titles = ["Severance", "Breaking Bad", "The Last of Us", "Slow Horses", "Arcane", "Only Murders in the Building"]
    lines = [f"Scanning disk for {titles[i % len(titles)]}" for i in range(60)]
    lines += [f"Updating info for {titles[i % len(titles)]}" for i in range(60)]
    got = _templates(lines)
    assert set(got[:60]) == {"Scanning disk for <*>"}
    assert set(got[60:]) == {"Updating info for <*>"}
    # event words after a preposition are not capitalised names: they stay apart
    events = ["lost", "established", "refused by peer", "reset", "closed by remote host"]
    got = _templates([f"Connection to database {events[i % 5]}" for i in range(50)])
    assert len(set(got)) == 5


def test_a_bracketed_value_of_up_to_six_words_is_its_event_s_variable():
    # "[Only Murders in the Building] was recently added" beside "[<*>] was recently added"
    # (probe BU: two groups)
    names = ["Severance", "Arcane", "Shogun", "Andor", "Foundation", "Dune"]
    lines = [f"[{names[i % 6]}] was recently added, performing post-add actions" for i in range(30)]
    lines += ["[Only Murders in the Building] was recently added, performing post-add actions"] * 4
    assert len(set(_templates(lines))) == 1
