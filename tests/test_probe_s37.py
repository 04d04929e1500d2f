"""Rules from the thirty-seventh session: leftovers of probe CB (a sports-betting operator on
a match night) and the blind probes of this session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from rcakit.correlate._results import ChangeRef, Evidence, Suspect
from rcakit.correlate._suspects import _decide, _undone_at_end, undone_cause

T0 = datetime(2024, 12, 3, 19, 50, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _row(cid: str, at: timedelta, *, kind: str, service: str | None = None, version: str | None = None,
         description: str | None = None) -> dict:
    return {"id": cid, "time": T0 + at, "service": service, "service_raw": service, "version": version,
            "kind": kind, "description": description}


def test_a_change_undone_as_the_incident_ended_is_its_cause():
    """Probe CB c16: LaunchDarkly's ``goal-push-all-users`` turned on at 19:50; the push
    worker floods FCM at the next goal, 34 min later, and gets 429s; the flag is turned off
    at 20:54 and the incident ends with it. Nothing showed in the 34 min between, so the flag
    scored 0.14 and no change was named. "Did it stop when we took it back?" is what an
    engineer asks first: a change undone (turned off, rolled back, its previous version
    deployed again) as the incident ends is its cause, whatever the failures name outside.
    Undoing something else, or changing the same flag without undoing it, or undoing it
    long before the end, is no such sign."""
    on = _row("bd7a5d5a", timedelta(0), kind="feature_flag",
              description="Turned on flag `goal-push-all-users` (Push: goal alerts to all opted-in users) in production")
    off = _row("c5ea5a86", 64 * MINUTE, kind="feature_flag",
               description="Turned off flag `goal-push-all-users` (Push: goal alerts to all opted-in users) in production")
    other_off = _row("e1", 64 * MINUTE, kind="feature_flag", description="Turned off flag `trading-auto-suspend-v3` in production")
    widened = _row("e2", 64 * MINUTE, kind="feature_flag",
                   description="Updated rollout of flag `goal-push-all-users` in production: 50% -> 100%")
    onset, end = T0 + 34 * MINUTE, T0 + 64 * MINUTE
    args = {"onset": onset, "end": end, "window": MINUTE}
    assert _undone_at_end(on, [on, off], **args) == off
    assert _undone_at_end(on, [on, other_off], **args) is None
    assert _undone_at_end(on, [on, widened], **args) is None
    # (turned off half an hour before the incident ended: it did not end with it)
    assert _undone_at_end(on, [on, off], onset=onset, end=end + 30 * MINUTE, window=MINUTE) is None
    # a release rolled back, by kind, by words, or by deploying the version before it again
    before = _row("d1", -2 * timedelta(hours=1), kind="deploy", service="wallet-api", version="5.4.8")
    release = _row("d2", timedelta(0), kind="deploy", service="wallet-api", version="5.4.9")
    for undo in (
        _row("d3", 60 * MINUTE, kind="rollback", service="wallet-api", version=None),
        _row("d3", 60 * MINUTE, kind="deploy", service="wallet-api", description="Revert \"ledger batching\" (#518)"),
        _row("d3", 60 * MINUTE, kind="deploy", service="wallet-api", version="5.4.8"),
    ):
        assert _undone_at_end(release, [before, release, undo], **args) == undo
    # ... not: a rollback to this change's version (it undoes a later one), nor one after a
    # later change of the service (which it undoes)
    back = _row("d3", 60 * MINUTE, kind="deploy", service="wallet-api", version="5.4.9", description="rollback wallet-api to 5.4.9")
    assert _undone_at_end(release, [before, release, back], **args) is None
    later = _row("d4", 30 * MINUTE, kind="deploy", service="wallet-api", version="5.5.0")
    assert _undone_at_end(release, [before, release, later, _row("d3", 60 * MINUTE, kind="rollback", service="wallet-api")], **args) is None
    # ... not: a fix forward, nor another service's rollback
    assert _undone_at_end(release, [before, release, _row("d3", 60 * MINUTE, kind="deploy", service="wallet-api", version="5.4.10")], **args) is None
    assert _undone_at_end(release, [before, release, _row("d3", 60 * MINUTE, kind="rollback", service="kyc-service")], **args) is None

    # the decision: the root's failures name FCM outside the logs, which alone left the flag unnamed
    ref = ChangeRef(id="bd7a5d5a", time=T0, service=None, version=None, kind="feature_flag", description=on["description"])
    evidence = (
        Evidence(kind="new_template", text="4 template(s) new in push-notifications-worker after the change", weight=1.25),
        Evidence(kind="undone", text="undone as the incident ended by c5ea5a86 at 20:54:00", weight=0.3),
    )
    common = {"root": "push-notifications-worker", "root_names": set(), "threshold": 0.45,
              "services": ["push-notifications-worker", "wallet-api"], "external": ["fcm.googleapis.com"]}
    flag = Suspect(change=ref, score=0.73, lag_seconds=2040.0, evidence=evidence)
    assert _decide([flag], **common)[0] is None  # (by the evidence alone: FCM outside)
    undone = {k: v for k, v in common.items() if k != "external"}
    assert undone_cause([flag], **undone)[0] == "bd7a5d5a"
    assert undone_cause([Suspect(change=ref, score=0.73, lag_seconds=2040.0, evidence=evidence[:1])], **undone) is None
    # ... a change of another service of the incident than the root, undone as it ended (probe
    # CB c19: ingress-nginx's upgrade rolled back, the root first taken for the KYC service
    # behind it) is not this root's cause: the close call tries the changed service as the root
    ingress = ChangeRef(id="ingress-nginx#90", time=T0, service="ingress-nginx-controller", version="1.11.3", kind="deploy")
    behind = {**undone, "root": "kyc-service", "services": ["kyc-service", "ingress-nginx-controller"]}
    assert undone_cause([Suspect(change=ingress, score=0.84, lag_seconds=720.0, evidence=evidence)], **behind) is None
    assert undone_cause([Suspect(change=ingress, score=0.84, lag_seconds=720.0, evidence=evidence)],
                        **{**behind, "root": "ingress-nginx-controller"})[0] == "ingress-nginx#90"


def test_a_providers_timeouts_in_a_records_fields_are_its_outage(tmp_path):
    """Probe CE c10: a Go push notifier logs ``msg="push failed"`` with the reason in a
    logfmt field, ``error="Post \\"https://fcm.googleapis.com/...\\": context deadline
    exceeded"``; its release 5 min before the timeouts was named the cause, as the rule that
    a provider not answering is its outage read the message only. The fields a reader took
    out of the root's failures are read too."""
    import random

    from rcakit.report import analyze

    rng = random.Random(7)
    start = datetime(2025, 11, 13, 17, 0, tzinfo=UTC)
    onset = start + timedelta(hours=1, minutes=49)
    logs = tmp_path / "logs"
    (logs / "push-notifier").mkdir(parents=True)
    (logs / "device-shadow").mkdir(parents=True)
    push, shadow = [], []
    t = start
    while t < start + timedelta(hours=2, minutes=40):
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        failing = onset <= t < onset + timedelta(minutes=35) and rng.random() < 0.6
        if failing:
            push.append(
                f'time="{stamp}" level=error msg="push failed" provider=fcm kind=motion token={rng.getrandbits(48):012x} '
                'error="Post \\"https://fcm.googleapis.com/v1/projects/acme-home-prod/messages:send\\": context deadline '
                'exceeded (Client.Timeout exceeded while awaiting headers)"'
            )
        else:
            push.append(f'time="{stamp}" level=info msg="notification delivered" provider=fcm kind=motion latency_ms={rng.randint(120, 260)}')
        shadow.append(f"{stamp} INFO  [shadow] device {rng.randint(10000, 99999)} reported state in {rng.randint(2, 9)} ms")
        t += timedelta(seconds=rng.choice((3, 4, 5)))
    deployed = onset - timedelta(minutes=5)
    push.insert(
        next(i for i, line in enumerate(push) if line[6:26] >= deployed.strftime("%Y-%m-%dT%H:%M:%SZ")),
        f'time="{deployed:%Y-%m-%dT%H:%M:%SZ}" level=info msg="starting push-notifier" version=1.19.6',
    )
    (logs / "push-notifier" / "push-notifier.log").write_text("\n".join(push) + "\n")
    (logs / "device-shadow" / "device-shadow.log").write_text("\n".join(shadow) + "\n")
    (tmp_path / "deploys.csv").write_text(
        f"id,time,service,version\npush-notifier#42,{deployed:%Y-%m-%dT%H:%M:%SZ},push-notifier,1.19.6\n"
    )
    report = analyze(logs, deploys=tmp_path / "deploys.csv")
    inc = next(i for i in report.incidents if i.root_service == "push-notifier")
    assert "fcm.googleapis.com" in inc.external_hosts
    assert inc.cause is None
    assert "context deadline exceeded" in inc.cause_reason


def test_a_page_of_documentation_to_see_is_no_host_called():
    """Probe CF c08: Laravel's Guzzle quotes libcurl's "(see
    https://curl.haxx.se/libcurl/c/libcurl-errors.html)" in every failed payout poll:
    curl.haxx.se was listed as a host outside the logs beside the bank's API. A provider's
    status page to see is still the provider's."""
    from rcakit.correlate._services import external_hosts

    curl = (
        "Payout status poll failed: cURL error 35: OpenSSL/3.0.11: error:0A000415:SSL routines::sslv3 alert certificate "
        "expired (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://api.sepa.banking-partner.eu/v1/payouts/status"
    )
    assert external_hosts([curl], ["fiat-onramp"]) == ["api.sepa.banking-partner.eu"]
    assert external_hosts(["charge failed: see https://status.stripe.com for updates"], ["checkout"]) == ["status.stripe.com"]


def test_an_argo_cd_sync_to_a_branch_is_versioned_by_its_commit(tmp_path):
    """Probe CF: Argo CD applications tracking ``main`` showed every deploy as "deploy
    wallet-service#224 of wallet-service main": the branch says nothing of what was
    deployed; the synced commit does. A tag or a chart's version is still the version."""
    import json

    from rcakit.changes import read_changes

    app = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "wallet-service"},
        "status": {"history": [
            {"id": 223, "revision": "7589f997b301f1ef44b11ff1fbcd3d6f883cada5", "deployedAt": "2026-11-02T10:00:00Z",
             "source": {"targetRevision": "main"}},
            {"id": 224, "revision": "3748b90fad68af24aed6f54552ae8f7d86c27eef", "deployedAt": "2026-11-02T13:28:00Z",
             "source": {"targetRevision": "v2.4.1"}},
        ]},
    }
    (tmp_path / "argocd.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [app]}))
    df = read_changes(tmp_path / "argocd.json").sort("time")
    assert df["version"].to_list() == ["7589f997b301", "v2.4.1"]
    assert df["description"][0] == "Argo CD sync of wallet-service to main (7589f997b301)"


def test_a_word_of_the_business_names_no_service_that_calls_by_name():
    """Probe CF c01: the matching engine's failures say "Failed to process NewOrder for
    SOLUSDT, order rejected", which named ``order-gateway`` by its stem; the gateway's say
    "matching engine rejected order". Each naming the other, the gateway was taken for the
    dependency and the root. A stem against a whole name: the stem is the word the work is
    about. Stem against stem, or one side alone, is judged as before."""
    from rcakit.correlate._root import _stem_only_names
    from rcakit.detect._results import Contribution

    def contrib(service: str, template: str) -> Contribution:
        return Contribution(
            kind="new", service=service, template_id=service, template=template, score=9.0,
            baseline_rate=0, observed_rate=6, first_seen=T0, onset=T0,
        )

    known = ["order-gateway", "matching-engine", "risk-margin", "edge-nginx"]
    engine = contrib("matching-engine", "Failed to process NewOrder for <*>, order rejected")
    gateway = contrib("order-gateway", "place order failed error=rpc error: matching engine rejected order: internal error")
    said = {id(c): c.template for c in (engine, gateway)}
    assert _stem_only_names([engine, gateway], said, known) == {("matching-engine", "order-gateway")}
    # ... the engine alone naming the gateway's stem still names it
    assert _stem_only_names([engine], {id(engine): engine.template}, known) == set()
    # ... and a whole name is a whole name
    engine2 = contrib("matching-engine", "order-gateway stream closed: order rejected")
    said2 = {id(c): c.template for c in (engine2, gateway)}
    assert _stem_only_names([engine2, gateway], said2, known) == set()


def test_a_client_class_in_a_stack_frame_names_the_service_it_calls():
    """Probe CE c22: the voice gateway's .NET failures, "HttpRequestException: Response
    status code does not indicate success: 500 ... at Acme.Voice.Shadow.ShadowClient.
    SetDesired", named no service, so the gateway "calls no anomalous service" and was the
    root of Redis refusing writes. A client class names the service it calls: by its
    CamelCase name, or by the last word of it no other service's name holds."""
    from rcakit.correlate._services import _names

    services = ["voice-gateway", "device-shadow", "redis", "app-api", "inventory-service", "shadow-sync"]
    net = (
        "Directive Alexa.PowerController.TurnOff for endpoint ep-plug-859e9f failed System.Net.Http.HttpRequestException: "
        "Response status code does not indicate success: 500 (Internal Server Error). at "
        "System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode() at Acme.Voice.Shadow.DeviceShadowClient.SetDesired(String id)"
    )
    assert _names(net, services, exclude="voice-gateway") == ("device-shadow",)
    java = "at com.shop.clients.InventoryClient.reserve(InventoryClient.java:42)"
    assert _names(java, services, exclude="app-api") == ("inventory-service",)
    # ... the last word alone only when no other service's name holds it
    assert _names("at Acme.Voice.Shadow.ShadowClient.SetDesired()", services, exclude="voice-gateway") == ()
    assert _names("at Acme.Voice.Shadow.ShadowClient.SetDesired()", services[:5], exclude="voice-gateway") == ("device-shadow",)
    # ... and a library's client of no service names none
    assert _names("at System.Net.Http.HttpClient.SendAsync()", services, exclude="voice-gateway") == ()


def test_a_campaign_a_change_names_in_the_incidents_new_lines_ties_it():
    """Probe CE c19: a ServiceNow change "Firmware 4.12.0 wave 3 rollout to 25% of Hub v2
    (OTA campaign fw-4.12.0-wave3)" of "Hub firmware", which logs nothing here; 3 min later
    the OTA service starts "Offering firmware 4.12.0 to hub-de8e2a (campaign
    fw-4.12.0-wave3)" and the hubs' reconnect storm overruns the broker. The campaign's id,
    with a version inside, was no identifier, and only failure lines were searched: an
    older deploy of the device service won. What began at the onset carrying the change's
    identifier ties it like a failure carrying it."""
    from rcakit.correlate._suspects import _ID_NEWS, _id_in

    change = "Firmware 4.12.0 wave 3 rollout to 25% of Hub v2 (OTA campaign fw-4.12.0-wave3)"
    offered = "Offering firmware 4.12.0 to hub-de8e2a (campaign fw-4.12.0-wave3)"
    assert _id_in(change, [offered]) == ("fw-4.12.0-wave3", offered)
    # (a bare version is no identifier: the version rule reads versions)
    assert _id_in("Upgrade to 4.12.0", ["running 4.12.0"]) is None
    ref = ChangeRef(id="CHG0031495", time=T0, service="Hub firmware", version=None, kind="infra", description=change)
    tied = Suspect(
        change=ref, score=0.83, lag_seconds=180.0,
        evidence=(Evidence(kind="dependency", text=f"{_ID_NEWS} 'fw-4.12.0-wave3', which its description names, in ota-service", weight=0.3),),
    )
    deploy = Suspect(
        change=ChangeRef(id="device-shadow#68", time=T0, service="device-shadow", version="1.43.0", kind="deploy"),
        score=0.9, lag_seconds=2340.0,
        evidence=(Evidence(kind="new_template", text="3 template(s) new in device-shadow after the change", weight=0.3),),
    )
    common = {"root": "device-shadow", "root_names": set(), "threshold": 0.45,
              "services": ["device-shadow", "emqx", "ota-service"]}
    assert _decide([deploy, tied], **common)[0] == "CHG0031495"


def test_dotnets_getaddrinfo_eai_again_is_a_name_that_did_not_resolve():
    """Probe CE c16: after a CoreDNS upgrade the voice gateway's .NET calls fail with
    "HttpRequestException: Resource temporarily unavailable
    (device-shadow.prod.svc.cluster.local:8080) ---> SocketException (11)": getaddrinfo's
    EAI_AGAIN in .NET's words on Linux, as Node's "getaddrinfo EAI_AGAIN" is. The named
    service was never reached."""
    from rcakit.correlate._services import NAME_RESOLUTION

    net = (
        "System.Net.Http.HttpRequestException: Resource temporarily unavailable (device-shadow.prod.svc.cluster.local:8080) "
        "---> System.Net.Sockets.SocketException (11): Resource temporarily unavailable"
    )
    assert NAME_RESOLUTION.search(net)
    assert not NAME_RESOLUTION.search("write failed: Resource temporarily unavailable")


def test_a_new_failure_of_a_quiet_service_flagged_late_is_no_burst_seen_before():
    """Probe CF c02: a KYC service logging two lines a minute at midnight fails a document
    upload or two a minute after its deploy at 23:46; its new TypeError reached the count
    to be flagged only at 00:00, and the same template's records from 23:48, this very run,
    were taken for an earlier burst ("seen before"): no incident at all. A new template's
    records since its first one are its run; what came before that is history."""
    from rcakit.correlate._windows import _burst_seen_before
    from rcakit.detect._results import Contribution

    first = T0
    stamps = [first + timedelta(minutes=3 * i, seconds=7) for i in range(14)]
    sub = pl.DataFrame({
        "timestamp": stamps, "service": ["kyc-service"] * 14, "template_id": ["typeerror"] * 14, "sev": [17] * 14,
    }).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    own = sub.rename({"sev": "severity_number"})
    late = Contribution(
        kind="new", service="kyc-service", template_id="typeerror", template="unhandled error in request TypeError: <*>",
        score=6.0, baseline_rate=0, observed_rate=1, first_seen=first, onset=first + 12 * MINUTE,
    )
    assert not _burst_seen_before(late, sub, own, MINUTE)


def test_a_restart_blip_joined_to_later_trouble_in_one_window_is_cut_off():
    """Probe CF c03: an order gateway's deploy at 23:56:31 made the edge answer 502 for 25 s;
    at 00:00 the wallet's connection pool ran dry after its own deploy. Detection's window
    held both, 23:57 to 00:38, and the gateway's blip became the root and the cause. Where
    the anomalies' onsets leave two windows between them and the earlier ones' records end
    a window before the later begin, the group is cut there (and the head, a blip, goes
    with its change); one that goes on is not cut."""
    from rcakit.correlate._correlate import _after_a_quiet_stretch
    from rcakit.detect._results import AnomalyWindow, Contribution

    t0 = datetime(2026, 7, 25, 23, 57, tzinfo=UTC)

    def contrib(service: str, kind: str, onset: datetime, template_id: str | None = None) -> Contribution:
        return Contribution(kind=kind, service=service, template_id=template_id, template=template_id, score=9.0,
                            baseline_rate=0.1, observed_rate=5, first_seen=onset, onset=onset)

    edge = contrib("edge-nginx", "error_ratio", t0)
    pool = contrib("wallet-service", "new", t0 + 3 * MINUTE, "hikari")
    group = [AnomalyWindow(start=t0, end=t0 + 41 * MINUTE, score=20.0, services=("edge-nginx", "wallet-service"),
                           contributions=(edge, pool))]

    def recs(edge_errors: list[datetime]) -> pl.DataFrame:
        pool_errors = [t0 + 3 * MINUTE + timedelta(seconds=10 * i) for i in range(30)]
        return pl.DataFrame({
            "timestamp": edge_errors + pool_errors,
            "service": ["edge-nginx"] * len(edge_errors) + ["wallet-service"] * 30,
            "template_id": ["502"] * len(edge_errors) + ["hikari"] * 30,
            "is_error": [True] * (len(edge_errors) + 30),
        }).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))

    blip = [t0 + timedelta(seconds=s) for s in (3, 9, 14, 21)]
    halves = _after_a_quiet_stretch(group, MINUTE, recs(blip))
    assert halves is not None
    head, tail = halves
    assert [c.service for w in head for c in w.contributions] == ["edge-nginx"]
    assert head[0].end == t0 + MINUTE
    assert [c.service for w in tail for c in w.contributions] == ["wallet-service"]
    # ... not when the edge's errors go on up to the later trouble
    assert _after_a_quiet_stretch(group, MINUTE, recs([*blip, t0 + 150 * timedelta(seconds=1)])) is None


def test_a_blips_deploy_may_land_two_windows_before_its_first_failure():
    """Probe CF c03: the gateway's deploy landed at 23:30:54, its pods' restart made one 502
    at the edge in the window of 23:32: the change came just over a window before the blip's
    first sign and the blip was reported as an incident. Pods restart a minute or two after
    a deploy lands; three windows before is too long ago."""
    from rcakit.correlate._correlate import _rollout_blip
    from rcakit.correlate._results import ServiceRole

    t = datetime(2026, 7, 25, 23, 32, tzinfo=UTC)
    roles = [ServiceRole(service="order-gateway", role="root", onset=t, score=1.0, evidence=()),
             ServiceRole(service="edge-nginx", role="affected", onset=t, score=1.0, evidence=())]

    def blip(lead: timedelta):
        return _rollout_blip(
            "order-gateway", roles, set(), [{"id": "gh-1533386034", "service": "order-gateway", "time": t - lead}],
            onset=t, start=t, end=t + MINUTE, window=MINUTE, period_end=t + timedelta(hours=1),
            graph={"edge-nginx": {"order-gateway"}}, answering={"edge-nginx"}, n_failed=1, unit="requests",
        )

    assert blip(timedelta(seconds=66)) is not None
    assert blip(timedelta(minutes=3, seconds=5)) is None


def test_a_clients_release_that_brought_new_failing_statements_is_their_cause():
    """Probe CE c24: an API release at 18:15 brings an N+1 lookup; from 18:21 PostgreSQL logs
    a new slow statement, "SELECT * FROM device_capabilities WHERE device_id = $1", all of
    it the API's. The API's own lines changed little (its slower answers are a field), so
    the release scored 0.35 and no change was named. A query the database never ran before,
    the client's, from within a rollout's time after the client's release, is what the
    release brought."""
    import random

    import rcakit
    from rcakit.correlate._records import prepare_records
    from rcakit.correlate._suspects import _score_suspect

    rng = random.Random(3)
    t0 = datetime(2025, 12, 1, 17, 0, tzinfo=UTC)
    release = t0 + timedelta(minutes=75)

    def frame(service: str, minutes: int, template: str, extra: list[tuple[datetime, str]] = ()) -> pl.DataFrame:
        rows = [(t0 + timedelta(seconds=20 * i + rng.randint(0, 9)), template) for i in range(minutes * 3)]
        rows = sorted([*rows, *extra])
        return prepare_records(rcakit.mine_templates(pl.DataFrame({
            "timestamp": [r[0] for r in rows], "service": [service] * len(rows), "body": [r[1] for r in rows],
            "severity_number": [9] * len(rows),
        }).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))))

    statement = "duration: 1632.945 ms  statement: SELECT * FROM device_capabilities WHERE device_id = $1"
    slow = [(release + timedelta(minutes=6, seconds=5 * i), statement) for i in range(60)]
    by_service = {
        "postgres": frame("postgres", 150, "checkpoint complete: wrote 12 buffers", slow),
        "app-api": frame("app-api", 150, "request completed"),
    }
    row = {"id": "app-api#53", "time": release, "service": "app-api", "service_raw": "app-api", "version": "2.14.0",
           "kind": "deploy", "description": None}
    common = {
        "onset": release + timedelta(minutes=6), "end": release + timedelta(minutes=60), "root": "postgres",
        "services": ["postgres", "app-api"], "root_names": set(), "by_service": by_service, "known": ["postgres", "app-api"],
        "span_cmp": timedelta(minutes=30), "window": MINUTE, "changes": [row], "root_clients": frozenset({"app-api"}),
    }
    brought = _score_suspect(row, **common, new_statements=release + timedelta(minutes=6))
    assert any("a query it brought" in e.text for e in brought.evidence)
    assert brought.score >= 0.45
    # ... not when the statements began long after it, or before it
    assert not any("a query it brought" in e.text for e in _score_suspect(row, **common, new_statements=release + timedelta(minutes=40)).evidence)
    assert not any("a query it brought" in e.text for e in _score_suspect(row, **common, new_statements=release - MINUTE).evidence)


def test_a_loud_change_beside_a_root_change_that_served_quietly_is_tried_as_root():
    """Probe CF c06: a Flyway migration rebuilding the orders index ran on the ledger database
    2 minutes before the order gateway's queries slowed down; the gateway, root by its failing
    lines, had a release 27 minutes before that served quietly ("no visible change ...") and
    was named. The database's own logs changed right after the migration (27 times its
    volume, new slow statements): it is tried as the root."""
    from rcakit.correlate._correlate import _Cause, _loud_change_beside
    from rcakit.correlate._results import ServiceRole
    from rcakit.correlate._suspects import QUIET_MARK

    release = Suspect(
        change=ChangeRef(id="gh-1481643433", time=T0, service="order-gateway", version="4.12.7", kind="deploy"),
        score=0.6, lag_seconds=1620.0,
        evidence=(
            Evidence(kind="new_template", text="5 template(s) new in order-gateway after the change", weight=1.17),
            Evidence(kind="pre_existing", text=f"{QUIET_MARK} order-gateway's logs in the 27 min (strength x0.48)", weight=-0.34),
        ),
    )
    migration = Suspect(
        change=ChangeRef(id="CHG0032934", time=T0, service="ledger-db", version=None, kind="migration"),
        score=0.27, lag_seconds=240.0,
        evidence=(Evidence(kind="volume", text="ledger-db log volume x27.49 after the change", weight=0.356),),
    )
    roles = [ServiceRole(service=s, role=r, onset=T0, score=1.0, evidence=())
             for s, r in (("order-gateway", "root"), ("ledger-db", "affected"), ("edge-nginx", "affected"))]
    services = ["order-gateway", "ledger-db", "edge-nginx"]
    found = _Cause("order-gateway", set(), T0, (release, migration), "gh-1481643433", "")
    assert _loud_change_beside(found, roles, services) == ("ledger-db", migration)
    # ... not when the root's change did not serve quietly, nor when the other is a victim
    loud = Suspect(change=release.change, score=0.6, lag_seconds=1620.0, evidence=release.evidence[:1])
    assert _loud_change_beside(found._replace(suspects=(loud, migration)), roles, services) is None
    victim = [r if r.service != "ledger-db" else ServiceRole(service="ledger-db", role="victim", onset=T0, score=1.0, evidence=())
              for r in roles]
    assert _loud_change_beside(found, victim, services) is None


def test_a_count_that_moved_is_no_latency():
    """Probe CE n03: during a planned firmware wave the OTA service's "Rollout tick: <NUM>
    campaigns active, <NUM> devices pending" rose from 0 to 34; the incident's symptom read
    "latency", though no duration moved. A count is a number of things, not a slower answer;
    a duration is still latency."""
    from rcakit.correlate._incident import _symptom
    from rcakit.detect._results import Contribution

    def param(template: str, feature: str) -> Contribution:
        return Contribution(kind="parameter", service="ota-service", template_id="t", template=template, score=9.0,
                            baseline_rate=6, observed_rate=6, first_seen=T0, onset=T0, extra={"feature": feature})

    rate = Contribution(kind="rate_spike", service="ota-service", template_id="o", template="Offering firmware <NUM> to <*>",
                        score=40.0, baseline_rate=0.3, observed_rate=11, first_seen=T0, onset=T0)
    pending = param("Rollout tick: <NUM> campaigns active, <NUM> devices pending", "$2")
    assert _symptom([rate, pending], {}, {}, root_quiet=False) == "rates"
    slower = param("Handled directive <*> for endpoint ep-<*> in <NUM> ms", "$3")
    assert _symptom([rate, pending, slower], {}, {}, root_quiet=False) == "latency"
