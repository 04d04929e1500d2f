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


def test_log4j2_dated_and_indexed_rotations_name_their_service():
    # Probe BY: pacing-2026-11-18-1.log.gz (log4j2's %d{yyyy-MM-dd}-%i) was a second
    # service "pacing-2026-11-18" that "stopped logging" at each rotation
    from rcakit.ingest._service import service_from_path

    assert service_from_path("pacing/pacing-2026-11-18-1.log.gz") == "pacing"
    assert service_from_path("pacing/pacing-2026-11-18-12.log") == "pacing"
    assert service_from_path("payroll-batch.2026-11-30.0.log.gz") == "payroll-batch"


def _minutes(t0, n):
    from datetime import timedelta

    return [t0 + timedelta(minutes=m) for m in range(n)]


def test_a_count_that_follows_a_ramp_hidden_by_clockwork_lines_is_load():
    # Probe BY: rows a pipeline writes each flush grow with the morning's bids, while a
    # ticker every few seconds (a third of the records) held the estate's volume flat:
    # the flush sizes were a "latency" incident on every normal day. A backlog is not.
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._windows import _count_with_traffic, _work_volume
    from rcakit.detect._results import Contribution

    t0 = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
    rows = []
    for m, at in enumerate(_minutes(t0, 240)):
        requests = 5 + m // 12  # 5 a minute, then 25
        rows += [(at + timedelta(seconds=s), "ticker", None) for s in range(0, 60, 2)]  # 30 a minute
        rows += [(at + timedelta(seconds=1 + 2 * k), "request", None) for k in range(requests)]
        rows.append((at + timedelta(seconds=59), "flush", float(1000 * requests + 37 * (m % 5))))
    recs = pl.DataFrame(
        {"timestamp": [r[0] for r in rows], "service": "clickhouse", "template_id": [r[1] for r in rows],
         "num_params": [[r[2]] if r[2] is not None else [] for r in rows]},
        schema_overrides={"num_params": pl.List(pl.Float64)},
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    minute = timedelta(minutes=1)
    volume = _work_volume(recs, minute)
    # (the ticker and the flush a minute tick like clocks: the requests are the traffic)
    assert volume.height == recs.filter(pl.col("template_id") == "request").height
    onset = t0 + timedelta(minutes=160)

    def flush(observed: float) -> Contribution:
        return Contribution(
            kind="parameter", service="clickhouse", template_id="flush", template="Written <NUM> rows, <SIZE> in <DURATION>.",
            score=12.7, baseline_rate=1, observed_rate=1, first_seen=onset, onset=onset,
            extra={"feature": "$1", "peak_observed": observed, "peak_expected": 9000.0},
        )

    own = recs.filter(pl.col("template_id") == "flush")
    assert _count_with_traffic(flush(18500.0), volume, own, minute)
    # the same sizes while the requests stay flat: a backlog
    backlog = recs.with_columns(
        pl.when((pl.col("template_id") == "flush") & (pl.col("timestamp") >= onset))
        .then(pl.col("num_params").list.eval(pl.element() * 4))
        .otherwise(pl.col("num_params"))
    )
    own = backlog.filter(pl.col("template_id") == "flush")
    assert not _count_with_traffic(flush(75000.0), volume, own, minute)


def test_an_access_log_s_median_moved_by_its_routes_mix_is_no_slow_down():
    # Probe BZ: IIS's "GET <*>" held health checks (2 ms) all night and payslip downloads
    # (420 ms) in office hours: its median went from 3 to 42 ms, twelve false alarms. A
    # route answering slower still is one.
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._windows import _change_of_mix
    from rcakit.detect._results import Contribution

    t0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    rows = []
    for m, at in enumerate(_minutes(t0, 240)):
        rows += [(at + timedelta(seconds=5 * k), "/ess/health", 1 + k % 3) for k in range(12)]
        busy = 0 if m < 120 else min(20, (m - 120) // 3)
        rows += [(at + timedelta(seconds=2 * k + 1), f"/ess/api/payslips/{1000 + k}/pdf", 400 + 7 * (k % 9)) for k in range(busy)]
        rows += [(at + timedelta(seconds=3 * k + 2), "/ess/api/leave", 50 + k % 5) for k in range(busy // 2)]

    def frame(slower_from=None):
        return pl.DataFrame({
            "timestamp": [r[0] for r in rows], "service": "ess-web", "template_id": "get",
            "params": [[r[1]] for r in rows],
            "attributes": [
                json.dumps({"time-taken": r[2] * (3 if slower_from and r[0] >= slower_from and "pdf" in r[1] else 1)})
                for r in rows
            ],
        }).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))

    onset = t0 + timedelta(minutes=170)
    c = Contribution(
        kind="parameter", service="ess-web", template_id="get", template="GET <*>", score=10.2,
        baseline_rate=12, observed_rate=40, first_seen=onset, onset=onset,
        extra={"feature": "attributes.time-taken", "peak_observed": 42.0, "peak_expected": 3.0},
    )
    minute = timedelta(minutes=1)
    assert _change_of_mix(c, frame(), minute)
    assert not _change_of_mix(c, frame(slower_from=onset), minute)


def test_a_time_that_fell_is_no_symptom():
    # Probe BZ: an import finishing in 0.9 s instead of 2.3 s was a "latency" incident
    from datetime import UTC, datetime

    from rcakit.correlate._windows import _is_duration, _material_shift
    from rcakit.detect._results import Contribution

    t = datetime(2026, 11, 30, 8, 4, tzinfo=UTC)
    template = "Imported <NUM> punches from <ID>.csv (<NUM> rejected) in <NUM> s"
    assert [_is_duration(template, f"${k}") for k in (1, 2, 3, 4)] == [False, False, False, True]
    assert _is_duration("GET <*>", "attributes.time-taken")
    assert not _is_duration("flushed in <NUM> batches", "$1")

    def shift(feature: str, observed: float, tail: float | None = None) -> Contribution:
        return Contribution(
            kind="parameter", service="time-ingest", template_id="i", template=template, score=6.9,
            baseline_rate=1, observed_rate=1, first_seen=t, onset=t,
            extra={"feature": feature, "peak_observed": observed, "peak_expected": 2.28, "base_q95": 3.37,
                   "window_q95": tail or observed},
        )

    assert not _material_shift(shift("$4", 0.88))
    assert _material_shift(shift("$4", 2.1, tail=40.0))  # (its tail grew: some of it slowed)
    assert _material_shift(shift("$4", 6.5))
    assert _material_shift(shift("$1", 0.88))  # (fewer punches imported may be a symptom)


def test_names_a_change_list_and_a_failure_use():
    # Probe BY: the repository rtb-bidder is the logs' bidder; a model's version
    # ctr-2026.11.20-0400 in every failing record ties its push; SQLAlchemy's link to its
    # docs is no provider; libcurl's and ssh2's timeouts are calls not answered
    from rcakit.correlate._services import NOT_ANSWERING, external_hosts, match_service
    from rcakit.correlate._suspects import _version_in

    services = ["bidder", "adserver", "payments", "redis"]
    assert match_service("rtb-bidder", services) == "bidder"
    assert match_service("payments-worker", services) == "payments-worker"  # (payments is a service's word)
    assert match_service("orders-db", services) == "orders-db"
    failing = ['{"msg":"bid scoring failed","model":"ctr-2026.11.20-0400","err":"NaN in feature vector"}']
    assert _version_in("ctr-2026.11.20-0400", failing) == failing[0]
    assert external_hosts([
        "(psycopg2.OperationalError) connection failed (Background on this error at: https://sqlalche.me/e/20/e3q8)",
        "BrandSafety verify failed for https://api.safeview.example.net/v2/verify: Timeout was reached (curl code 28)",
    ], services) == ["api.safeview.example.net"]
    assert NOT_ANSWERING.search("verify failed: Timeout was reached (curl code 28) after 250 ms")
    assert NOT_ANSWERING.search('"err":{"message":"Timed out while waiting for handshake"}')


def test_what_changed_long_before_the_first_symptom_is_no_context_of_it():
    # Probe BZ: the month-end batch starting at 07:44 (its INFO lines a rate spike, no
    # symptom) was kept beside the 08:50 errors of the self-service API and rooted the
    # incident at the batch, "anomalous from the first window"
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._windows import _material_windows
    from rcakit.detect._results import AnomalyWindow, Contribution

    t0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)

    def contribution(kind, service, tid, onset):
        return Contribution(
            kind=kind, service=service, template_id=tid, template=None, score=20.0, baseline_rate=0.1,
            observed_rate=6.0, first_seen=onset, onset=onset,
        )

    batch = contribution("rate_spike", "payroll-engine", "calc", t0 + timedelta(minutes=44))
    soon = contribution("rate_spike", "payroll-engine", "calc2", t0 + timedelta(minutes=100))
    errors = contribution("error_ratio", "ess-api", None, t0 + timedelta(minutes=110))
    recs = pl.DataFrame(
        {"timestamp": [t0 + timedelta(seconds=10 * k) for k in range(1440)],
         "service": ["payroll-engine", "payroll-engine", "ess-api"] * 480,
         "template_id": ["calc", "calc2", "e"] * 480, "severity_number": [9, 9, 17] * 480, "body": ["x"] * 1440},
        schema_overrides={"severity_number": pl.UInt8},
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    win = AnomalyWindow(
        start=batch.onset, end=t0 + timedelta(hours=4), score=20.0, services=("payroll-engine", "ess-api"),
        contributions=(batch, soon, errors),
    )
    kept = _material_windows([win], recs, min_events=5, badness={}, window=timedelta(minutes=1))
    # (what began within half an hour of the errors stays their context)
    assert [(c.service, c.template_id) for c in kept[0].contributions] == [("payroll-engine", "calc2"), ("ess-api", None)]
    assert kept[0].start == errors.onset


def test_envoy_s_client_hanging_up_is_a_warning(tmp_path):
    # Probe BY: an exchange hanging up at its deadline ("0 DC") was Envoy's own error, and
    # Envoy the root of a slow bidder behind it
    frame = read_lines(tmp_path, "access.log", [
        '[2026-11-22T17:24:03.756Z] "POST /openrtb/2.5/pubmatic HTTP/1.1" 0 DC 2772 0 102 - "-" "PubMatic-OpenRTB/2.5" '
        '"cbd739c0-c092-46e3-bbde-371aa251eedb" "bid.rtb.example.com" "10.42.1.17:8080"',
        '[2026-11-22T17:24:04.100Z] "POST /openrtb/2.5/magnite HTTP/1.1" 0 UF,URX 2772 0 3 - "-" "Magnite/2.5" '
        '"cbd739c0-c092-46e3-bbde-371aa251eeff" "bid.rtb.example.com" "10.42.1.18:8080"',
    ])
    assert frame["severity_text"].to_list() == ["WARN", "ERROR"]


def test_a_broker_named_by_its_role_is_named_by_its_clients_errors():
    # Probe BZ: RabbitMQ's logs in mq/: its publishers' "connection.blocked: low on memory"
    # named no service (two clients quoting it were taken for caller and callee)
    services = ["mq", "ess-api", "payroll-batch", "hr-db"]
    text = "Publish failed: channel blocked by broker (connection.blocked: low on memory)"
    assert _names(text, services, exclude="ess-api") == ("mq",)
    # (nor when two services could be that broker)
    assert _names(text, [*services, "queue"], exclude="ess-api") == ()


def test_a_throughput_counts_things():
    # Probe BX c16: ClickHouse's "<SIZE>/sec." read rising fivefold in a surge made it the
    # root ("largest relative shift of its own numbers"): more work, not a slower answer
    from rcakit.correlate._windows import _is_count

    template = "Read <NUM> rows, <SIZE> in <DURATION>., <NUM> rows/sec., <SIZE>/sec."
    assert [_is_count(template, f"${k}") for k in range(1, 6)] == [True, False, False, True, True]
    assert _is_count("consumed <NUM> msgs per second", "$1")
    assert not _is_count("request took <NUM> ms", "$1")


def test_aerospike_s_clients_name_it():
    # Probe BY c14, c18: the Go client's "ResultCode: TIMEOUT, Iteration: 1, InDoubt: false,
    # Node: BB9030011AC4202 10.0.3.11:3000" named nothing, and the bidder was rooted
    services = ["aerospike", "bidder", "redis"]
    for text in (
        "profile lookup failed ResultCode: TIMEOUT, Iteration: 1, InDoubt: false, Node: BB9030011AC4202 10.0.3.11:3000",
        "com.aerospike.client.AerospikeException$Timeout: Client timeout: iterations=2",
        "AEROSPIKE_ERR_TIMEOUT reading profile",
    ):
        assert _names(text, services, exclude="bidder") == ("aerospike",), text


def test_a_deploy_whose_slow_down_was_undone_is_named_in_a_long_incident(tmp_path):
    # Probe BZ c24: the engine four times slower for 40 minutes after its deploy, then as
    # before; its callers' warnings kept the incident open to the export's end, and over
    # those two hours the engine's times "did not change after" the deploy (score 0.35)
    import random
    import warnings
    from datetime import UTC, datetime, timedelta

    from rcakit.errors import RcakitWarning

    rnd = random.Random(5)
    t0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    engine, api = [], []
    for s in range(0, 300 * 60, 3):
        at = t0 + timedelta(seconds=s + rnd.random())
        minute = s / 60
        slow = 5.0 if 150 <= minute < 190 else 1.0
        ms = round(180 * rnd.lognormvariate(0, 0.2) * slow)
        engine.append({"time": at.isoformat(), "level": "info", "msg": f"calculation for employee {100000 + s} completed in {ms} ms"})
        api.append({"time": (at + timedelta(milliseconds=ms)).isoformat(), "level": "info",
                    "msg": f"preview served for employee {100000 + s} in {ms + 20} ms"})
        if minute >= 150 and s % 12 == 0:
            api.append({"time": (at + timedelta(milliseconds=ms + 5)).isoformat(), "level": "warn",
                        "msg": f"preview slow, falling back to cached figures for employee {100000 + s}"})
    logs = tmp_path / "logs"
    logs.mkdir()
    for name, rows in (("payroll-engine", engine), ("ess-api", api)):
        (logs / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    deploy = t0 + timedelta(minutes=149, seconds=20)
    (tmp_path / "deploys.csv").write_text(
        f"time,service,version,id\n{(t0 + timedelta(minutes=30)):%Y-%m-%dT%H:%M:%SZ},ess-api,2.1.0,d-1\n"
        f"{deploy:%Y-%m-%dT%H:%M:%SZ},payroll-engine,5.10.0,d-2\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(logs, deploys=tmp_path / "deploys.csv")
    inc = next(i for i in report.incidents if i.start <= deploy + timedelta(minutes=5) <= i.end)
    assert inc.root_service == "payroll-engine"
    assert inc.cause == "d-2"
