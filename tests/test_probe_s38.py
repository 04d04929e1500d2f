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
