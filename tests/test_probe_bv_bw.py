"""Rules from the thirty-fourth session's blind probes: BV (a tax-filing portal's incidents),
BW (12 unseen log systems' templates), and what probe BU had left (Sonarr's names). Each test
fails on the code before the session."""

from __future__ import annotations

import dataclasses

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


def test_change_exports_of_awx_azure_devops_octopus_and_servicenow_categories(tmp_path):
    """Probe BV: AWX's jobs API page and Azure DevOps' release deployments stopped the report
    (exit 2, "no time column"); Octopus' deployments CSV had no service or version; a
    ServiceNow change's category was ignored (a SAN firmware upgrade read as a deploy)."""
    import json
    from datetime import UTC, datetime

    awx = tmp_path / "awx_jobs.json"
    awx.write_text(json.dumps({"count": 2, "next": None, "previous": None, "results": [
        {"id": 9305, "type": "job", "summary_fields": {"job_template": {"id": 12, "name": "jboss-datasource-tuning"}},
         "created": "2025-04-29T18:05:18Z", "modified": "2025-04-29T18:07:00Z", "name": "jboss-datasource-tuning",
         "playbook": "playbooks/jboss_datasource.yml", "limit": "portal-app01.tax.local",
         "extra_vars": "{\"ds_max_pool_size\": 5}", "status": "successful",
         "started": "2025-04-29T18:05:20Z", "finished": "2025-04-29T18:07:00Z", "job_template": 12},
        {"id": 9306, "type": "job", "summary_fields": {}, "name": "os-patching", "playbook": "patch.yml",
         "limit": "lb01,lb02", "status": "failed", "created": "2025-04-29T19:00:00Z", "started": None},
    ]}))
    got = rcakit.read_changes(awx).select("id", "time", "service", "kind", "description").rows()
    assert got[0][:4] == ("9305", datetime(2025, 4, 29, 18, 5, 20, tzinfo=UTC), "portal-app01", "config")
    assert "ds_max_pool_size=5" in got[0][4]
    assert got[1][:3] == ("9306", datetime(2025, 4, 29, 19, tzinfo=UTC), None)  # two hosts: no one service
    assert got[1][3] == "maintenance"
    assert "(status failed)" in got[1][4]

    ado = tmp_path / "ado_release_deployments.json"
    deployment = {
        "id": 1206, "release": {"id": 3206, "name": "Release-157", "artifacts": [
            {"type": "Build", "definitionReference": {"version": {"id": "35595", "name": "2.6.2"}}}]},
        "releaseDefinition": {"id": 7, "name": "eid-gateway-release"}, "releaseEnvironment": {"id": 997, "name": "PROD"},
        "reason": "manual", "deploymentStatus": "succeeded",
        "queuedOn": "2025-04-30T12:12:29.591Z", "startedOn": "2025-04-30T12:12:59.591Z",
        "completedOn": "2025-04-30T12:15:29.591Z", "lastModifiedOn": "2025-04-30T12:15:30.591Z",
    }
    never = {**deployment, "id": 1207, "deploymentStatus": "notDeployed"}
    ado.write_text(json.dumps({"count": 2, "value": [deployment, never]}))
    assert rcakit.read_changes(ado).select("id", "service", "version", "kind").rows() == [
        ("1206", "eid-gateway", "2.6.2", "deploy")
    ]

    octopus = tmp_path / "octopus_deployments_prod.csv"
    octopus.write_text(
        "DeploymentId,ProjectName,EnvironmentName,ReleaseVersion,Created,StartTime,CompletedTime\n"
        "Deployments-8190,refund-notify,Production,3.3.3,2025-04-29T20:20:02+02:00,2025-04-29T20:20:07+02:00,"
        "2025-04-29T20:22:57+02:00\n"
    )
    assert rcakit.read_changes(octopus).select("id", "service", "version").row(0) == (
        "Deployments-8190", "refund-notify", "3.3.3"
    )

    snow = tmp_path / "change_request_export.csv"
    snow.write_text(
        '"Number","Short description","Configuration item","Type","Category","Actual start"\n'
        '"CHG1","Storage: firmware upgrade of SAN array PRD-SAN-02","PRD-SAN-02","Normal","Hardware","2025-04-29 10:00:00"\n'
        '"CHG2","Increase retention of audit partitions","taxdb","Standard","Database","2025-04-29 11:00:00"\n'
        '"CHG3","Deploy portal 7.3.2","portal","Normal","Software","2025-04-29 12:00:00"\n'
        '"CHG4","Raise the pool limit","portal","Normal","Software","2025-04-29 13:00:00"\n'
        '"CHG5","Reduce calc-rules cache TTL from 3600s to 30s","portal","Normal","Software","2025-04-29 14:00:00"\n'
    )
    assert rcakit.read_changes(snow)["kind"].to_list() == ["infra", "config", "deploy", "config", "config"]


def test_a_node_s_folder_and_httpd_s_own_file_names_name_no_service(tmp_path):
    """Probe BV: ``tax-calc/calc01/messages.log`` was service ``calc01`` (its callers' "tax-calc
    answered HTTP 500" named no logging service), RHEL httpd's ``portal-web/access_log`` was
    ``access_log``."""
    line = "2025-04-29 10:00:00,000 INFO started\n"
    for node in ("calc01", "calc02"):
        (tmp_path / "tax-calc" / node).mkdir(parents=True)
        (tmp_path / "tax-calc" / node / "messages.log").write_text(line)
    (tmp_path / "web-frontend" / "edge-1").mkdir(parents=True)
    (tmp_path / "web-frontend" / "edge-1" / "out.log").write_text(line)  # a role that is no word of it
    (tmp_path / "portal-web").mkdir()
    (tmp_path / "portal-web" / "access_log").write_text(
        '10.0.0.1 - - [29/Apr/2025:10:00:00 +0200] "GET / HTTP/1.1" 200 12 "-" "curl/8" 1200\n'
    )
    (tmp_path / "portal-web" / "ssl_error_log").write_text(
        "[Tue Apr 29 10:00:00.123456 2025] [ssl:warn] [pid 12] AH01909: server certificate does not include an ID\n"
    )
    df = rcakit.read_logs(tmp_path, columns=["service", "source"])
    got = dict(df.select(pl.col("source").str.replace_all(r"\\", "/").str.split("/").list.slice(-2).list.join("/"), "service").rows())
    assert got == {
        "calc01/messages.log": "tax-calc",
        "calc02/messages.log": "tax-calc",
        "edge-1/out.log": "edge",
        "portal-web/access_log": "portal-web",
        "portal-web/ssl_error_log": "portal-web",
    }


def _consumer(*, stall: tuple[int, int], work_back: bool, warn: bool) -> pl.DataFrame:
    """Three hours of a queue consumer's records: a stats line each minute (a heartbeat) and
    three to seven "e-mail queued" lines a minute, none over ``stall`` (minutes), back after it when
    ``work_back``, a warning every 4 min of the stall when ``warn``."""
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2025, 4, 30, 4, 0, tzinfo=UTC)
    rows = []
    for m in range(180):
        at = t0 + timedelta(minutes=m)
        rows.append((at, "stats", 9))
        in_stall = stall[0] <= m < stall[1]
        if in_stall and warn and m % 4 == 0:
            rows.append((at + timedelta(seconds=30), "noack", 13))
        if not in_stall and (work_back or m < stall[0]):
            rows.extend((at + timedelta(seconds=8 * k + 2), "queued", 9) for k in range(3 + m % 5))
    return pl.DataFrame(
        {"timestamp": [r[0] for r in rows], "service": "refund-notify", "template_id": [r[1] for r in rows],
         "severity_number": [r[2] for r in rows], "body": [r[1] for r in rows]},
        schema_overrides={"severity_number": pl.UInt8},
    )


def test_a_consumer_whose_work_stops_behind_its_heartbeat_is_an_incident():
    # Probe BV s07: the consumer's stats line a minute went on, so its volume fell to 0.23 of
    # its baseline, not a fifth: "no anomaly" at all
    from datetime import timedelta

    from rcakit.correlate._windows import _material_windows
    from rcakit.detect._results import AnomalyWindow, Contribution

    onset = __import__("datetime").datetime(2025, 4, 30, 5, 20, tzinfo=__import__("datetime").UTC)
    drop = Contribution(
        kind="rate_drop", service="refund-notify", template_id=None, template=None, score=8.9, baseline_rate=5.7,
        observed_rate=1.3, first_seen=None, onset=onset, extra={},
    )
    win = AnomalyWindow(start=onset, end=onset + timedelta(minutes=40), score=8.9, services=("refund-notify",), contributions=(drop,))

    def kept(**kw):
        recs = _consumer(stall=(80, 165), **kw)
        return _material_windows([win], recs, min_events=5, badness={}, window=timedelta(minutes=1))

    assert len(kept(work_back=True, warn=False)) == 1  # the work comes back after it
    assert len(kept(work_back=False, warn=True)) == 1  # the consumer warns meanwhile
    # a job whose work ends for good, saying nothing, its heartbeat going on: no symptom
    assert kept(work_back=False, warn=False) == []


def test_pagerduty_change_events_and_cloudflare_s_audit_log(tmp_path):
    """Probe BX: PagerDuty's change events stopped the report ("no time column"); Cloudflare's
    audit entries had their action object as kind and no description."""
    import json

    pd = tmp_path / "pagerduty-change-events.json"
    pd.write_text(json.dumps({"change_events": [{
        "id": "01Y55F09", "type": "change_event", "summary": "Deploy bounce-processor 4.1.3 to production",
        "timestamp": "2026-03-30T10:14:21Z", "services": [{"id": "PSVC", "type": "service_reference", "summary": "bounce-processor"}],
        "custom_details": {"version": "4.1.3"},
    }], "limit": 25, "offset": 0, "more": False, "total": None}))
    assert rcakit.read_changes(pd).select("id", "service", "version", "kind").row(0) == (
        "01Y55F09", "bounce-processor", "4.1.3", "deploy"
    )
    cf = tmp_path / "cloudflare-audit-log.json"
    cf.write_text(json.dumps({"success": True, "errors": [], "messages": [], "result": [{
        "id": "e27cfa7d", "action": {"type": "rec_set", "result": True, "info": "TXT pm2026a._domainkey.example.net updated"},
        "actor": {"email": "dns-admin@example.net", "type": "user"}, "resource": {"id": "c227", "type": "DNS_record"},
        "when": "2026-03-04T11:59:40Z",
    }]}))
    got = rcakit.read_changes(cf).select("id", "service", "kind", "description").row(0)
    assert got == ("e27cfa7d", None, "infra", "Cloudflare DNS record: TXT pm2026a._domainkey.example.net updated")


def test_a_link_shortener_s_host_is_no_service():
    # Probe BX: Outlook's "https://aka.ms/postmaster" in every deferral made a root service "aka"
    from rcakit.correlate._services import url_services

    bodies = ["421 4.7.0 Messages temporarily deferred, see https://aka.ms/postmaster"] * 6 + ["see https://goo.gl/x"] * 6
    assert url_services(pl.DataFrame({"body": bodies})) == []


def test_a_mail_server_s_delivery_status_is_its_level(tmp_path):
    # Probe BX: Postfix's deferrals (a provider throttling one sending IP) were no failure
    # at all: syslog files without PRI give Postfix's lines no level
    path = tmp_path / "maillog"
    path.write_text(
        "Mar  4 12:00:01 mta-01 postfix/smtp[2211]: 4F1A2B3C: to=<a@gmail.example>, relay=mx[142.250.1.27]:25, "
        "delay=1.2, dsn=4.7.28, status=deferred (host said: 421-4.7.28 unusual rate)\n"
        "Mar  4 12:00:02 mta-01 postfix/smtp[2211]: 5F1A2B3C: to=<b@nowhere.example>, relay=none, delay=0.2, "
        "dsn=5.1.1, status=bounced (host said: 550 5.1.1 user unknown)\n"
        "Mar  4 12:00:03 mta-01 postfix/smtp[2211]: 6F1A2B3C: to=<c@x.example>, relay=mx[1.2.3.4]:25, delay=0.4, "
        "dsn=2.0.0, status=sent (250 2.0.0 OK)\n"
        "Mar  4 12:00:04 mta-01 postfix/smtp[2211]: warning: TLS library problem\n"
    )
    df = rcakit.read_logs(path)
    assert df["severity_text"].to_list() == ["WARN", "ERROR", None, "WARN"]


def test_a_suite_s_daemons_are_one_service_and_a_change_to_a_host_is_its_service_s(tmp_path):
    """Probe BX: Postfix's daemons were services of their own (smtp, qmgr, cleanup, master),
    and an AWX job on ``mta-04`` was taken for ``master``'s change (the one service whose few
    lines all came from that host)."""
    import json as _json
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._correlate import _named_services

    lines = [
        f"Mar  4 12:00:{i:02d} mta-0{1 + i % 4} postfix/{daemon}[22{i:02d}]: 4F1A{i:02d}: msg {i}"
        for i, daemon in enumerate(["smtp", "qmgr", "cleanup", "smtpd"] * 10)
    ] + ["Mar  4 12:01:00 mta-04 /usr/sbin/kamailio[1992]: started"]
    path = tmp_path / "maillog"
    path.write_text("\n".join(lines) + "\n")
    df = rcakit.read_logs(path)
    assert sorted(df["service"].unique().to_list()) == ["kamailio", "postfix"]
    assert _json.loads(df["attributes"][0])["app_name"] == "postfix/smtp"
    master = [{"service": "master", "attributes": _json.dumps({"host": "mta-04"}), "body": "daemon started"}] * 2
    recs = pl.DataFrame(
        [{"service": s, "attributes": a, "body": "x"} for s, a in zip(df["service"], df["attributes"], strict=True)] + master
    ).with_columns(timestamp=pl.lit(datetime(2026, 3, 4, 12, tzinfo=UTC)))
    changes = pl.DataFrame({
        "time": [datetime(2026, 3, 4, 11, tzinfo=UTC) - timedelta(minutes=2)], "service": ["mta-04.mail.example"],
        "version": [None], "id": ["18356"], "kind": ["config"],
        "description": ["AWX job mta-tls-bundle (site.yml) on mta-04: smtp_tls_CAfile=/etc/ssl/internal/ca.pem"],
    }, schema_overrides={"version": pl.String})
    named = _named_services(changes, recs, ["postfix", "kamailio", "master"])
    assert named[("mta-04.mail.example", changes["description"][0])] == "postfix"


def test_a_mail_server_s_client_is_no_dependency():
    # Probe BX c08: Postfix refusing mail for want of disk ("NOQUEUE: reject: MAIL from
    # sender-6c4f8b9d7-w9rkq[10.2.3.39]: 452 4.3.1 Insufficient system storage") named its
    # client, the sender, which was then taken for the root
    from rcakit.correlate._services import _names

    services = ["sender", "mail-api", "postfix"]
    for text in (
        "NOQUEUE: reject: MAIL from sender-6c4f8b9d7-w9rkq[10.2.3.39]: 452 4.3.1 Insufficient system storage",
        "connect from sender-6c4f8b9d7-w9rkq[10.2.3.39]",
        "4F1A2B3C: client=sender-6c4f8b9d7-w9rkq[10.2.3.39]",
        "lost connection after DATA from mail-api-7d9f[10.2.3.40]",
        "NOQUEUE: reject: MAIL from sender-<HEX>-<*>[<IP>]: <NUM> <NUM> Insufficient system storage; proto=ESMTP "
        "helo=<sender-<*>>",  # its template
    ):
        assert _names(text, services, exclude="postfix") == ()
    assert _names("smtp submission to postfix refused", services, exclude="sender") == ("postfix",)


def test_a_provider_throttling_the_service_is_no_client_refused():
    # Probe BX c02: Gmail deferring a new IP pool's mail ("host ... said: 421-4.7.28 ... has
    # been temporarily rate limited ... (in reply to end of DATA command)") was read as the
    # service refusing a client that went too fast (a small share of Postfix's records):
    # nothing was reported
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._windows import _burst_seen_before
    from rcakit.detect._results import Contribution

    t0 = datetime(2026, 3, 3, 11, 55, tzinfo=UTC)
    template = (
        "<*>: to=<<EMAIL>>, relay=<HOST>[<IP>]:<NUM>, dsn=<NUM>, status=deferred (host <HOST>[<IP>] said: <NUM>-<NUM> "
        "mail sent from your IP address has been temporarily rate limited (in reply to end of DATA command))"
    )
    rows = [(t0 + timedelta(minutes=m, seconds=s), "deferred", 13) for m in range(40) for s in range(0, 60, 6)]
    rows += [(t0 + timedelta(minutes=m, seconds=s / 4), "sent", 9) for m in range(-30, 40) for s in range(240)]
    own = pl.DataFrame(
        {"timestamp": [r[0] for r in rows], "template_id": [r[1] for r in rows], "severity_number": [r[2] for r in rows]},
        schema_overrides={"severity_number": pl.UInt8},
    ).with_columns(service=pl.lit("postfix"))
    sub = own.filter(pl.col("template_id") == "deferred").select(
        "timestamp", "service", "template_id", pl.col("severity_number").cast(pl.Int32).alias("sev")
    )
    c = Contribution(
        kind="new", service="postfix", template_id="deferred", template=template, score=21.8, baseline_rate=0.0,
        observed_rate=10.0, first_seen=t0, onset=t0, extra={},
    )
    assert _burst_seen_before(c, sub, own, timedelta(minutes=1)) is False
    # the service refusing its own clients, a few now and then, still is a client's doing
    ours = dataclasses.replace(c, template="rate limit exceeded for client <*>")
    assert _burst_seen_before(ours, sub, own, timedelta(minutes=1)) is True


def test_a_flag_a_flag_tool_names_after_feature_is_the_service_s_that_logs_its_key():
    # Probe BT c22: Flagsmith's "Flag state / Remote config value updated for feature:
    # loyalty_double_points" of the project "staybook" (no logs) was no change of loyalty,
    # whose failures carry flag=loyalty_double_points
    from datetime import UTC, datetime

    from rcakit.correlate._correlate import _named_services

    recs = pl.DataFrame({
        "service": ["loyalty"] * 3 + ["booking"] * 3,
        "body": ["points accrual failed"] * 3 + ["booking confirmed"] * 3,
        "attributes": ['{"flag":"loyalty_double_points"}'] * 3 + ["{}"] * 3,
        "timestamp": [datetime(2024, 3, 26, 17, 44, tzinfo=UTC)] * 6,
    })
    desc = "Flag state / Remote config value updated for feature: loyalty_double_points"
    changes = pl.DataFrame({
        "time": [datetime(2024, 3, 26, 17, 43, 20, tzinfo=UTC)], "service": ["staybook"], "version": [None],
        "id": ["118223"], "kind": ["feature_flag"], "description": [desc],
    }, schema_overrides={"version": pl.String})
    assert _named_services(changes, recs, ["loyalty", "booking"])[("staybook", desc)] == "loyalty"
