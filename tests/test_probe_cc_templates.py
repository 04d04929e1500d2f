"""Template rules found by the thirty-sixth session's blind probe CC (twelve systems' logs in
their default layouts): each test fails on the code before its fix."""

from __future__ import annotations

import polars as pl

import rcakit


def _templates(lines: list[str]) -> list[str]:
    return rcakit.mine_templates(pl.DataFrame({"body": lines}))["template"].to_list()


def test_a_value_of_several_words_that_runs_to_the_next_key_is_one_value():
    # Falco's rule output: the command line (and a list of capabilities) runs to the next key;
    # each command line made its own template (113 templates for 27 rules)
    commands = [
        "bash", "sh -c ls -la /tmp", "python3 /app/worker.py --full", "grep -r BEGIN RSA PRIVATE /root",
        "java -Xmx512m -jar /opt/app.jar", "sudo vim /etc/hosts", "cat /etc/shadow", "nc -lvp 4444",
    ]
    caps = ["CAP_SYS_ADMIN", "CAP_SYS_ADMIN CAP_NET_ADMIN"]
    lines = [
        f"Warning Sensitive file opened for reading by non-trusted program (file=/etc/shadow "
        f"cap_effective={caps[i % 2]} evt_type=openat user=root user_uid=0 process={c.split()[0]} "
        f"proc_exepath=/usr/bin/{c.split()[0]} parent=runc command={c} terminal=0 "
        f"container_id={i * 7919:012x} container_name=nginx k8s_ns=default k8s_pod_name=nginx-7d9c-{i})"
        for i, c in enumerate(commands * 3)
    ]
    assert len(set(_templates(lines))) == 1
    # the command line is the value's, the event's words are not (a key of two words, a
    # structure's parts, a message key's text stay as they were)
    other = _templates([
        "idoproxydb hit ASSERT condition: ASSERT expression=0 Source file=idotransportmgr.cpp Source line=1043",
        "dockedStackVis=0, fullscreenStackBounds=Rect(0, 0 - 720, 1280), dockedStackBounds=Rect(0, 0 - 0, 0)",
        'level=info msg="Scrape failed for target" component=scrape target=node',
        "conn=1000 op=3 RESULT tag=97 err=0 text=",
    ])
    assert "Source file=" in other[0]
    assert "Rect(<NUM>, <NUM> - <NUM>, <NUM>)" in other[1]
    assert 'msg="Scrape failed for target" component=scrape' in other[2]
    assert other[3] == "conn=<NUM> op=<NUM> RESULT tag=<NUM> err=<NUM> text="
