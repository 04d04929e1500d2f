"""Rules found by the thirty-fifth session's blind probes (BX re-read, BY, BZ, CA): each
test fails on the code before its fix."""

from __future__ import annotations

import json

import polars as pl
from tests._reading import read_lines

import rcakit
from rcakit.correlate._services import _names
from rcakit.correlate._suspects import _id_in


def _templates(lines: list[str]) -> list[str]:
    return rcakit.mine_templates(pl.DataFrame({"body": lines}))["template"].to_list()


def test_ejabberd_freeswitch_and_prosody_heads(tmp_path):
    # Probe CA: ejabberd's "<pid>@module:function/arity:line", FreeSWITCH's call UUID, idle
    # CPU, level and source file, and Prosody's tab-separated source and level were kept in
    # the body (bodies as the truth's 0, Prosody read as syslog with no level)
    ejabberd = read_lines(tmp_path, "ejabberd.log", [
        "2024-03-05 06:39:40.908847+00:00 [info] <0.22602.0>@ejabberd_c2s:process_terminated/2:302 (tls|<0.23142.0>) "
        "Closing c2s session for walter@example.org/mobile: Replaced by new connection",
        "2024-03-05 06:39:42.599002+00:00 [warning] <0.3335.0>@mod_http_upload:process_slot_request/6:666 Rejecting file "
        "backup.tar.gz from rupert@example.org (too large: 643623296 bytes)",
    ])
    assert ejabberd["body"].to_list() == [
        "(tls|<0.23142.0>) Closing c2s session for walter@example.org/mobile: Replaced by new connection",
        "Rejecting file backup.tar.gz from rupert@example.org (too large: 643623296 bytes)",
    ]
    assert ejabberd["severity_text"].to_list() == ["INFO", "WARN"]
    assert json.loads(ejabberd["attributes"][1])["code"] == "mod_http_upload:process_slot_request/6:666"
    freeswitch = read_lines(tmp_path, "freeswitch.log", [
        "b2932210-1244-ac55-b166-2bb0dca64316 2024-03-05 01:08:18.009461 99.88% [NOTICE] switch_core_session.c:1748 "
        "Close Channel sofia/internal/1014@172.39.3.107 [CS_DESTROY]",
        "2024-03-05 01:08:19.100000 97.10% [ERR] mod_sofia.c:2265 Error sending message",
    ])
    assert freeswitch["body"].to_list() == [
        "Close Channel sofia/internal/1014@172.39.3.107 [CS_DESTROY]", "Error sending message"
    ]
    assert freeswitch["severity_text"].to_list() == ["INFO", "ERROR"]
    assert freeswitch["trace_id"][0] == "b2932210-1244-ac55-b166-2bb0dca64316"
    prosody = read_lines(tmp_path, "prosody.log", [
        "Mar 05 00:45:10 c2s104a133fd36c\tinfo\tAuthenticated as ana@example.org",
        "Mar 05 00:45:12 upload.example.org:http_file_share\twarn\tUpload slot request rejected",
        "Mar 05 00:45:13 c2s35aebd114463\terror\tTraceback[c2s]: /usr/lib/prosody/util/stanza.lua:55: invalid",
    ])
    assert prosody["format"].to_list() == ["text"] * 3
    assert prosody["body"].to_list() == [
        "Authenticated as ana@example.org", "Upload slot request rejected",
        "Traceback[c2s]: /usr/lib/prosody/util/stanza.lua:55: invalid",
    ]
    assert prosody["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert prosody["timestamp"].dt.year().to_list() == [2024] * 3


def test_a_reason_after_two_words_and_a_colon_and_a_path_s_varying_end():
    # Probe CA: Prosody's "Client disconnected: <reason>" was one event with a session in
    # front of it and six without; FreeSWITCH's channels split each event by profile
    reasons = ["closed", "session replaced", "not-authorized", "Connection timed out", "connection closed", "idle"]
    assert set(_templates([f"Client disconnected: {reasons[i % 6]}" for i in range(60)])) == {"Client disconnected: <*>"}
    lines = [f"Hangup sofia/{'internal' if i % 3 else 'external'}/10{i % 17}@10.0.{i % 7}.{i} [CS_EXECUTE]" for i in range(60)]
    assert len(set(_templates(lines))) == 1
    # (one word ending in a colon is a label, not a phrase: what follows names the event)
    got = _templates([f"Activation: {['successful', 'failed to start', 'timed out waiting', 'deferred'][i % 4]}"
                      for i in range(40)])
    assert len(set(got)) == 4


def test_a_mail_server_s_own_words_and_a_mailbox_name_no_service():
    # Probe BX c04, c06, c08: Postfix's "not enough free space in mail queue", a provider's
    # reply "This mail has been blocked because the sender is unauthenticated" and every
    # recipient at oldcorp-mail.net were read as failures naming mail-api and sender, which
    # were then rooted instead of the mail server
    services = ["sender", "mail-api", "postfix", "haraka", "opendkim", "unbound"]
    for text, server in (
        ("warning: not enough free space in mail queue: 10485760 bytes < 1.5*message size limit", "postfix"),
        (
            "D9D2D8F281: to=<nia640@gmail.com>, relay=alt1.gmail-smtp-in.l.google.com[142.251.9.27]:25, dsn=5.7.26, "
            "status=bounced (host said: 550-5.7.26 This mail has been blocked because the sender is unauthenticated.)",
            "postfix",
        ),
        ("7A1B: to=<erin4@oldcorp-mail.net>, relay=none, delay=301, status=deferred (connection timed out)", "postfix"),
        ("[core] hook=mail plugin=mail_from.is_resolvable failed: queue full", "haraka"),
    ):
        assert _names(text, services, exclude=server) == (), text
    # a mail server still names the milter it calls, and an application still names mail-api
    assert _names("milter unix:/run/opendkim/opendkim.sock: can't read reply: Connection timed out", services,
                  exclude="postfix") == ("opendkim",)
    assert _names("call to mail-api failed: 503", services, exclude="sender") == ("mail-api",)
    assert _names("mail submission failed: connection refused", services, exclude="sender") == ("mail-api",)
    # (a mailbox's domain is no service, whoever logs it)
    assert _names("bounce for ops@mail-api.example.net recorded", services, exclude="sender") == ()


def test_an_acronym_a_change_names_in_the_incidents_failures_ties_it():
    # Probe BX c04: a DKIM key rotation (a DNS TXT change in ServiceNow) and Gmail's replies
    # "DKIM = did not pass" on every bounce: the change scored 0.16, "not related"
    found = _id_in(
        "DKIM key rotation: publish new public key for selector pm2026a._domainkey.espmail.net (DNS TXT)",
        ["status=bounced (550-5.7.26 Authentication results: DKIM = did not pass SPF = did not pass)"],
    )
    assert found is not None
    assert found[0] == "DKIM"
    # (a header's name holding it is not it; nor are the acronyms every log says)
    assert _id_in("DKIM key rotation", ["DKIM-Signature field added (s=pm2026a)"]) is None
    assert _id_in("Deploy API 2.3 over HTTP", ["API call failed: HTTP 503"]) is None
    assert _id_in("enable SAML login", ["SAML assertion rejected: audience mismatch"])[0] == "SAML"


def test_nodes_of_one_role_are_their_folder_s_service(tmp_path):
    # Probe BZ: payroll-engine/calc01/server.log and calc02/ were services calc01 and calc02,
    # so every change of payroll-engine was "of a service that writes no logs here"; IIS's
    # ess-web/ESSWEB01/W3SVC1/u_ex261130.log was W3SVC1, hr-db/hrdb01/ hrdb01
    line = "2026-11-30 10:00:00,000 INFO started\n"
    files = {
        "payroll-engine/calc01/server.log": "payroll-engine",
        "payroll-engine/calc02/server.log": "payroll-engine",
        "ess-web/ESSWEB01/W3SVC1/app.log": "ess-web",
        "ess-web/ESSWEB02/W3SVC1/app.log": "ess-web",
        "hr-db/hrdb01/server.log": "hr-db",
        # (one node whose role is no word of its folder keeps its name: the folder may group
        # several services; nor do nodes of two roles make their folder one service)
        "web-frontend/edge-1/out.log": "edge",
        "prod/web01/app.log": "web01",
        "prod/db01/app.log": "db01",
    }
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(line)
    df = rcakit.read_logs(tmp_path, columns=["service", "source"])
    root = str(tmp_path).replace("\\", "/") + "/"
    got = dict(df.select(pl.col("source").str.replace_all(r"\\", "/").str.replace(root, "", literal=True), "service").rows())
    assert got == files
