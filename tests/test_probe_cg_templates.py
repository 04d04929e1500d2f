"""Template rules found by the thirty-seventh session's blind probe CG (twelve systems' logs
in their default layouts): each test fails on the code before its fix."""

from __future__ import annotations

import polars as pl

import rcakit


def _templates(lines: list[str]) -> list[str]:
    return rcakit.mine_templates(pl.DataFrame({"body": lines}))["template"].to_list()


def test_an_iso_8601_duration_is_one_value():
    # Jitsi Videobridge's health check prints Java's Duration: "PT0.004S", and "PT0S" when it
    # took under a millisecond; the two made two templates of one event (693 lines of 2,000)
    lines = [f"Performed a successful health check in PT0.{i:03d}S. Sticky failure: false" for i in range(1, 9)]
    lines += ["Performed a successful health check in PT0S. Sticky failure: false"] * 3
    lines += ["Session idle for PT1M30S, closing", "Session idle for PT2H, closing", "Session idle for P1DT2H, closing"]
    found = _templates(lines)
    assert set(found[:11]) == {"Performed a successful health check in <DURATION>. Sticky failure: <BOOL>"}
    assert set(found[11:]) == {"Session idle for <DURATION>, closing"}
    # (a word that starts with P and T is no duration)
    assert _templates(["PTR record missing for host"]) == ["PTR record missing for host"]


def test_a_distinguished_name_is_one_value():
    # 389 Directory Server: "The ACL target <DN> does not exist" made five templates, by how
    # many parts and words each DN had; a certificate's subject is one too
    dns = [
        "uid=jdoe,ou=People,dc=example,dc=com", "cn=automember rebuild membership,cn=tasks,cn=config",
        "ou=People,dc=example,dc=com", "cn=groups,cn=accounts,dc=example,dc=com", "uid=asmith,ou=People,dc=example,dc=com",
    ]
    found = _templates([f"acl_parse - The ACL target {dn} does not exist" for dn in dns])
    assert set(found) == {"acl_parse - The ACL target <DN> does not exist"}
    assert _templates(["peer certificate CN=api.example.com, O=Acme Inc, C=US rejected"]) == ["peer certificate <DN> rejected"]
    # ... not: numbers after one-letter keys, nor one relative name alone
    assert "<DN>" not in _templates(["set l=5,c=3 done"])[0]
    assert "<DN>" not in _templates(["bind dn uid=jdoe failed"])[0]
