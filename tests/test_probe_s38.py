"""Rules from the thirty-eighth session: leftovers of probe CF (a cryptocurrency exchange)
and the blind probes of this session."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from rcakit.correlate._services import CLIENTS_REJECT_CERTIFICATE, THEIR_CERTIFICATE_EXPIRED


def test_a_server_whose_clients_reject_its_certificate_is_the_root(tmp_path):
    """Probe CF c07: the hot-wallet signer's TLS certificate expires; the wallet's calls fail
    with Java's ``PKIX path validation failed: ... validity check failed`` (its client class
    in the logger, no host in the message) and the signer, written in Rust, logs each
    aborted handshake: ``tls handshake failed error="received fatal alert:
    CertificateUnknown"``. The wallet was taken for the root (its TLS calls reject a server
    that seemed outside the logs). A service whose handshakes fail on its clients' alerts
    while a caller rejects a certificate is that server."""
    from rcakit.report import analyze

    rng = random.Random(11)
    start = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    onset = start + timedelta(hours=1, minutes=47)
    logs = tmp_path / "logs"
    (logs / "wallet-service").mkdir(parents=True)
    (logs / "hot-wallet-signer").mkdir(parents=True)
    wallet, signer = [], []
    t = start
    while t < start + timedelta(hours=2, minutes=50):
        java = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        rust = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        w = f"{rng.getrandbits(64):016x}-{rng.getrandbits(16):04x}"
        if t >= onset and rng.random() < 0.7:
            wallet.append(
                f"{java} ERROR 1 --- [wallet-service] [drawal-worker-2] c.k.wallet.sign.SignerClient             : "
                f"Sign request for withdrawal {w} failed, will retry\n"
                "org.springframework.web.reactive.function.client.WebClientRequestException: PKIX path validation failed: "
                "java.security.cert.CertPathValidatorException: validity check failed"
            )
            signer.append(
                f'{rust}  WARN hyper::server::tcp: tls handshake failed error="received fatal alert: CertificateUnknown" '
                f"peer=10.42.3.19:{rng.randint(32768, 60999)}"
            )
        else:
            wallet.append(
                f"{java}  INFO 1 --- [wallet-service] [drawal-worker-1] c.k.wallet.sign.SignerClient             : "
                f"Withdrawal {w} signed in {rng.randint(20, 90)} ms"
            )
            signer.append(f"{rust}  INFO hot_wallet_signer::sign: signed chain=\"ETH\" key_id=\"k-{rng.randint(1, 4)}\" in {rng.randint(3, 12)}ms")
        t += timedelta(seconds=rng.choice((4, 5, 6)), microseconds=rng.randint(0, 999_999))
    (logs / "wallet-service" / "wallet-service.log").write_text("\n".join(wallet) + "\n")
    (logs / "hot-wallet-signer" / "hot-wallet-signer.log").write_text("\n".join(signer) + "\n")
    deployed = onset - timedelta(minutes=81)
    (tmp_path / "deploys.csv").write_text(
        f"id,time,service,version\nhot-wallet-signer#356,{deployed:%Y-%m-%dT%H:%M:%SZ},hot-wallet-signer,2.8.1\n"
    )
    report = analyze(logs, deploys=tmp_path / "deploys.csv")
    inc = max(report.incidents, key=lambda i: i.end - i.start)
    assert inc.root_service == "hot-wallet-signer"
    assert inc.cause is None  # (a release 81 min before that says nothing of certificates)
    assert "certificate" in inc.summary
    assert "hot-wallet-signer" in inc.summary


def test_the_alerts_of_clients_rejecting_a_servers_certificate():
    for line in (
        'tls handshake failed error="received fatal alert: CertificateUnknown" peer=10.42.3.19:50769',
        "http: TLS handshake error from 10.0.0.5:4711: remote error: tls: bad certificate",
        "SSL_do_handshake() failed (SSL: error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:SSL alert number 46)",
        "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_unknown",
    ):
        assert CLIENTS_REJECT_CERTIFICATE.search(line), line
    for line in ("TLS handshake completed in 3 ms", "certificate renewed, next renewal in 60d", "alert: disk 91% full"):
        assert not CLIENTS_REJECT_CERTIFICATE.search(line), line
    assert THEIR_CERTIFICATE_EXPIRED.search("PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed")


def test_a_clusters_folder_of_numbered_pod_folders_names_their_service():
    """Probe CH: ``cassandra/cass-msg-1/system.log`` ... ``cass-msg-3``: three nodes of one
    role (a StatefulSet's pods) in the cluster's folder. The pods' ordinal taken off gave
    ``cass-msg``, which no client's driver error ("Cassandra timeout during SIMPLE write")
    nor the change list's CMDB item (``cassandra-msg``) named: the folder does."""
    from rcakit.ingest._service import file_services

    nodes = [f"incident/cassandra/cass-msg-{i}/system.log" for i in (1, 2, 3)]
    names = file_services(["incident/message-send/message-send.log", *nodes])
    assert {names[p] for p in nodes} == {"cassandra"}
    # (the role spelled as the folder, kafka/kafka-0/server.log, as before)
    kafka = [f"incident/kafka/kafka-{i}/server.log" for i in (0, 1, 2)]
    assert {file_services(["incident/fanout/fanout.log", *kafka])[p] for p in kafka} == {"kafka"}
    # (one pod folder alone in another's folder keeps its name: the folder may group several)
    one = "incident/datastores/cass-msg-1/system.log"
    assert file_services(["incident/fanout/fanout.log", one])[one] == "cass-msg"


def test_an_application_servers_log_in_an_apps_folder_is_the_apps():
    """Probe CH c10: ``media-upload/gunicorn.log`` beside ``media-upload/app.log`` made a
    service ``gunicorn``, which became the root of the app's memory leak, and the app's
    release (reverted as the incident ended) was 'not the root's'. The application server
    an app runs in (gunicorn, uWSGI, Puma, PHP-FPM) writes the app's log; so does a
    blockchain node's daemon in its deployment's folder (``eth-node/geth.log``, probe CF)."""
    from rcakit.ingest._service import file_services

    names = file_services(["incident/media-upload/app.log", "incident/media-upload/gunicorn.log", "incident/fanout/fanout.log"])
    assert names["incident/media-upload/gunicorn.log"] == "media-upload"
    assert names["incident/media-upload/app.log"] == "media-upload"
    for path in ("incident/shop-web/puma.log", "incident/blog/php-fpm.log", "incident/eth-node/geth.log"):
        assert file_services(["incident/fanout/fanout.log", path])[path] == path.split("/")[1]
    # (alone in a host's folder, the product's name stays)
    host = "incident/ip-10-0-1-5/gunicorn.log"
    assert file_services(["incident/fanout/fanout.log", host])[host] == "gunicorn"


def test_a_change_to_the_offices_it_is_no_change_to_production():
    """Probe CH c18: an evening peak exhausts the WebSocket gateway's file descriptors; the
    ServiceNow change "Office VPN concentrator firmware upgrade" (``corp-vpn``, kind infra)
    9 min before was named, as a change to infrastructure may touch every service. No
    production call goes through the office's VPN, Wi-Fi or laptops; "back office" systems
    are production's own."""
    from types import SimpleNamespace

    from rcakit.correlate._suspects import _untied

    def untied(description: str, service: str | None) -> str | None:
        ref = SimpleNamespace(description=description, service=service)
        return _untied(ref, root="ws-gateway", services=["ws-gateway", "edge-nginx"], root_names=set(),
                       failing_texts=["accept error; retrying", "connect() failed (111: Connection refused) while connecting to upstream"])

    assert untied("Office VPN concentrator firmware upgrade", "corp-vpn") is not None
    assert untied("Replace staff laptops' VPN client", None) is not None
    assert untied("Firmware upgrade", "office-wifi") is not None
    # (a network change of production still is tied by the failures it breaks)
    assert untied("Core firewall firmware upgrade", "fw-core") is None
    assert untied("Back office network segment re-IP", "backoffice") is None
    assert untied("Post office API integration", None) is None


def test_a_batch_that_shrank_is_less_work_not_a_symptom(tmp_path):
    """Probe CI: Telegraf writes ``Wrote batch of 1090 metrics in 37.110ms`` every 10 s;
    when a plant pauses at a shift change its batches shrink by two fifths, which was a
    parameter anomaly, an incident of its own on a normal day and the early root of the
    day's real incidents. A consumer's batch that grew tells of a backlog; one that shrank
    is less work to do."""
    from rcakit.report import analyze

    rng = random.Random(5)
    start = datetime(2026, 2, 5, 10, 0, tzinfo=UTC)
    pause = (start + timedelta(hours=2, minutes=42), start + timedelta(hours=3, minutes=5))
    logs = tmp_path / "logs"
    (logs / "telegraf").mkdir(parents=True)
    (logs / "mes-orders").mkdir(parents=True)
    telegraf, orders = [], []
    t = start
    while t < start + timedelta(hours=4):
        size = rng.randint(900, 1100) if not pause[0] <= t < pause[1] else rng.randint(520, 660)
        telegraf.append(f"{t:%Y-%m-%dT%H:%M:%SZ} D! [outputs.postgresql] Wrote batch of {size} metrics in {rng.uniform(20, 60):.3f}ms")
        telegraf.append(f"{t:%Y-%m-%dT%H:%M:%SZ} D! [outputs.postgresql] Buffer fullness: {rng.randint(0, 40)} / 10000 metrics")
        orders.extend(
            f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  INFO 1 --- [mes-orders] [nio-8080-exec-{rng.randint(1, 9)}] "
            f"c.p.mes.orders.OrderController         : order {rng.randint(10000, 99999)} step confirmed in {rng.randint(8, 40)} ms"
            for _ in range(3)
        )
        t += timedelta(seconds=10)
    (logs / "telegraf" / "telegraf.log").write_text("\n".join(telegraf) + "\n")
    (logs / "mes-orders" / "mes-orders.log").write_text("\n".join(orders) + "\n")
    report = analyze(logs)
    assert [i.root_service for i in report.incidents] == []


def test_a_limit_the_failures_show_exhausted_ties_the_change_that_set_it(tmp_path):
    """Probe CI c03: "mes-orders: reduce HikariCP maximumPoolSize 40 -> 10" served quietly
    for 100 min until the shift's peak, when every failure read "Connection is not
    available, request timed out after 30000ms (total=10, active=10, idle=0,
    waiting=37)"; the change, quiet so long, scored 0.29 and no cause was named. The
    failures show the pool exhausted at the size the change set."""
    from rcakit.report import analyze

    rng = random.Random(9)
    start = datetime(2026, 2, 5, 10, 0, tzinfo=UTC)
    changed = start + timedelta(hours=1, minutes=10)
    onset = changed + timedelta(minutes=101)
    logs = tmp_path / "logs" / "mes-orders"
    logs.mkdir(parents=True)
    lines = []
    t = start
    while t < start + timedelta(hours=4):
        stamp = f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}"
        head = f"{stamp} {{}} 1 --- [mes-orders] [nio-8080-exec-{rng.randint(1, 9)}] "
        if onset <= t < onset + timedelta(minutes=40) and rng.random() < 0.5:
            lines.append(
                head.format("ERROR") + "o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, "
                f"request timed out after 30000ms (total=10, active=10, idle=0, waiting={rng.randint(5, 60)})"
            )
        else:
            lines.append(head.format(" INFO") + f"c.p.mes.orders.OrderController         : order {rng.randint(10000, 99999)} step confirmed in {rng.randint(8, 40)} ms")
        t += timedelta(seconds=rng.choice((3, 4, 5)))
    (logs / "mes-orders.log").write_text("\n".join(lines) + "\n")
    changes = tmp_path / "changes.csv"
    changes.write_text(
        "number,short_description,cmdb_ci,type,start_date\n"
        f'CHG0033903,"mes-orders: reduce HikariCP maximumPoolSize 40 -> 10 to relieve mes-db connection count",mes-orders,Standard,{changed:%Y-%m-%d %H:%M:%S}\n'
        f'CHG0033904,"mes-orders: rotate log files daily",mes-orders,Standard,{changed + timedelta(minutes=50):%Y-%m-%d %H:%M:%S}\n'
    )
    report = analyze(tmp_path / "logs", deploys=changes)
    inc = max(report.incidents, key=lambda i: i.end - i.start)
    assert inc.cause == "CHG0033903"
    assert "maximumPoolSize 10" in inc.cause_reason or any(
        "maximumPoolSize 10" in e.text for s in inc.suspects for e in s.evidence
    )


def test_a_brokers_connection_names_its_client_not_a_service_it_calls():
    """Probe CI c20: RabbitMQ's ``connection <0.89832.0> (10.42.1.23:34600 -> 10.20.0.31:5672 -
    mes-orders): blocked by disk alarm`` names the client's connection; the broker, logging as
    its folder's ``plant-bus`` (no product word in it), was taken for a caller of mes-orders
    and made its victim."""
    from rcakit.correlate._services import _names

    services = ["plant-bus", "mes-orders", "genealogy"]
    for line in (
        "connection <0.89832.0> (10.42.1.23:34600 -> 10.20.0.31:5672 - mes-orders): blocked by disk alarm, 35 publishers waiting",
        "connection <*> (<IP> -> <IP> - mes-orders): blocked by disk alarm, <NUM> publishers waiting",
    ):
        assert _names(line, services, exclude="plant-bus") == ()
    # (a service named in the message itself still is)
    assert _names("publish to genealogy failed: channel closed", services, exclude="plant-bus") == ("genealogy",)


def test_numpys_allocation_failure_is_running_out_of_memory():
    """Probe CI c09: an inspection service leaking until NumPy fails, ``numpy.core._exceptions
    ._ArrayMemoryError: Unable to allocate 1.12 GiB for an array with shape (16, 2448, 2048,
    3)``: not read as out of memory, so the release that started the leak was not named."""
    import re

    from rcakit.correlate._services import MEMORY_EXHAUSTED

    memory = re.compile(MEMORY_EXHAUSTED)
    assert memory.search("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 1.12 GiB for an array with shape (16, 2448)")
    assert memory.search("Unable to allocate 512. MiB for an array with shape (8, 1024) and data type float64")
    assert not memory.search("Unable to allocate a slot for the job: all 4 in use")


def test_a_zones_records_are_name_resolution():
    """Probe CI c15: a Terraform run "plant.local zone: move mes-edge to new VIP (replace A
    record with CNAME mes-vip)" was no change to name resolution by its words."""
    from rcakit.correlate._suspects import _DNS_CHANGE

    for text in ("plant.local zone: move mes-edge to new VIP", "replace A record with CNAME mes-vip", "Add AAAA records for api"):
        assert _DNS_CHANGE.search(text), text
    for text in ("a record number of orders", "Move the node pool to availability zone b", "set time zone to UTC"):
        assert not _DNS_CHANGE.search(text), text
