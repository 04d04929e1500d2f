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


def test_upper_case_ids_of_one_length_with_digits_inside_are_a_variable():
    # Syncthing's short device ids (X5FZYAB, KFPVPCA) read as a few UPPER_CASE constants:
    # one event per device
    devices = ["X5FZYAB", "D7RHHSA", "HFXZMS6", "Q3MLQWF", "KFPVPCA"]
    lines = [
        f'Device {devices[i % 5]} folder "Photos" (s5a5s-o3fno) has mismatching index ID for us '
        f"(0x{i * 7919:08X} != 0x{i * 104729:08X})"
        for i in range(40)
    ]
    assert len(set(_templates(lines))) == 1
    # constants stay events: states, and names ending in digits
    states = _templates([f"Transition {i} from {s} to RUNNING" for i, s in enumerate(["PENDING", "STOPPED"] * 10)])
    assert len(set(states)) == 2
    ciphers = _templates([f"session {i} negotiated cipher {c} ok" for i, c in enumerate(["SHA256", "SHA384"] * 10)])
    assert len(set(ciphers)) == 2


def test_a_wrapped_error_after_a_variable_and_a_colon_is_one_value():
    # Go's wrapped errors: "<context> (<args>): <err>", each error text its own template, also
    # when the error itself begins with a few labels ("syncing: ...", "pull: ...")
    errors = [
        "syncing: no connected device has the required version of this file",
        "pull: connection closed",
        "syncing: peers who had this file went away, or the file has changed while syncing. will retry later",
        "finishing: checking existing file: file modified but not rescanned; will try again later",
        "syncing: delete file: directory not empty",
        "pull: no such file",
    ]
    lines = [
        f'Puller (folder "Photos" (s5a5s-o3fno), item "img/{i}.jpg"): {errors[i % len(errors)]}' for i in range(36)
    ]
    assert set(_templates(lines)) == {'Puller (folder "Photos" (s5a5s-o3fno), item "img/<NUM>.jpg"): <*>'}
    # coturn: the user in two shapes before the reason
    reasons = [
        "allocation timeout", "TCP socket buffer operation error (callback)", "SSL read error: Connection reset by peer",
        "allocation watchdog determined stale session state", "TLS/TCP socket error: Connection reset by peer",
        "TCP connection closed by client (callback)",
    ]
    users = ["<1709676562:alice>", "<>"]
    lines = [
        f"session {100 + i}: closed (2nd stage), user {users[(i // 6) % 2]} realm <turn.example.org> origin <>, "
        f"local 10.0.0.5:3478, remote 10.1.2.{i}:5000, reason: {reasons[i % 6]}"
        for i in range(24)
    ]
    assert len(set(_templates(lines))) == 1
