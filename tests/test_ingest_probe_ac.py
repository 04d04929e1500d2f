"""Layouts, stamps and level words blind probes (AC, AB) found read wrongly: each test holds
lines as the product writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from click.testing import CliRunner

from rcakit.cli import main
from rcakit.ingest import read_logs


def _read_one(tmp_path, name: str, text: str, **kwargs) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = read_logs(path, year=2024, **kwargs)
    assert out["n_lines"].sum() == text.count("\n") + (0 if text.endswith("\n") else 1)
    return out


def test_long_start_up_banner_does_not_decide_the_format(tmp_path):
    """A Spring Boot banner and a 60-line configuration dump before the first log line: the
    lines below it decide the format (through the CLI too)."""
    banner = (
        "  .   ____          _            __ _ _\n"
        " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\\n"
        "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\\n"
        " =========|_|==============|___/=/_/_/_/\n"
        " :: Spring Boot ::                (v3.2.4)\n"
        "Effective configuration:\n"
        + "".join(f"  inventory.warehouse.{i}.capacity = {1000 + i}\n" for i in range(60))
        + "-----------------------------------------\n"
    )
    lines = (
        "2024-03-01T08:15:02.010Z  INFO 1 --- [stock] [           main] c.a.s.StockApplication : Started in 4.1 s\n"
        "2024-03-01T08:15:09.200Z ERROR 1 --- [stock] [nio-8080-exec-4] c.a.s.ReserveService   : reservation failed\n"
        "java.lang.IllegalStateException: shelf 12 locked\n"
        "\tat com.acme.stock.ReserveService.reserve(ReserveService.java:71)\n"
        "2024-03-01T08:15:10.000Z  WARN 1 --- [stock] [nio-8080-exec-4] c.a.s.ReserveService   : retry 1/3\n"
    )
    out = _read_one(tmp_path, "stock.log", banner + lines)
    real = out.filter(pl.col("timestamp").is_not_null())
    assert real["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert real["body"][1] == (
        "reservation failed\njava.lang.IllegalStateException: shelf 12 locked\n"
        "\tat com.acme.stock.ReserveService.reserve(ReserveService.java:71)"
    )
    assert real["timestamp"][0] == datetime(2024, 3, 1, 8, 15, 2, 10000, tzinfo=UTC)
    res = CliRunner().invoke(main, ["parse", str(tmp_path / "stock.log"), "-o", str(tmp_path / "stock.parquet")])
    assert res.exit_code == 0, res.output
    cli = pl.read_parquet(tmp_path / "stock.parquet")
    assert cli.filter(pl.col("severity_text") == "ERROR")["n_lines"].to_list() == [3]


def test_localised_level_words(tmp_path):
    """German, French, Spanish and Japanese level words are levels, and the head around them
    is not the message (a line they do not fit is read as before)."""
    de = _read_one(tmp_path, "versand.log", (
        "12.04.2024 07:30:01,101 INFO  [main] de.acme.versand.App - Dienst gestartet\n"
        "12.04.2024 07:30:05,202 WARNUNG [worker-3] de.acme.versand.Tour - Tour 17 verspätet\n"
        "12.04.2024 07:30:09,303 FEHLER [worker-3] de.acme.versand.Label - Etikettendruck fehlgeschlagen\n"
    ))
    assert de["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert de["body"].to_list() == ["Dienst gestartet", "Tour 17 verspätet", "Etikettendruck fehlgeschlagen"]
    fr = _read_one(tmp_path, "paie.log", (
        "2024-04-12 07:30:01 [INFO] Lancement du calcul de paie\n"
        "2024-04-12 07:30:02 [AVERTISSEMENT] Taux manquant pour le salarié 88\n"
        "2024-04-12 07:30:03 [ERREUR] Échec de l'export bancaire\n"
        "2024-04-12 07:30:04 [GRAVE] Arrêt du lot\n"
    ))
    assert fr["severity_text"].to_list() == ["INFO", "WARN", "ERROR", "ERROR"]
    assert fr["body"][2] == "Échec de l'export bancaire"
    jp = _read_one(tmp_path, "haiso.log", (
        "2024/04/12 16:30:01.100 [情報] 配送サービスを起動しました\n"
        "2024/04/12 16:30:02.200 [警告] 在庫APIの応答が遅い (1800ms)\n"
        "2024/04/12 16:30:03.300 [エラー] 伝票の作成に失敗しました\n"
    ))
    assert jp["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert jp["body"][1] == "在庫APIの応答が遅い (1800ms)"
    # a message that merely starts with such a word in lower case keeps it
    plain = _read_one(tmp_path, "plain.log", (
        "2024-04-12 07:30:01 Fehler beim Lesen der Datei a.csv\n"
        "2024-04-12 07:30:02 grave accent in name\n"
    ))
    assert plain["body"].to_list() == ["Fehler beim Lesen der Datei a.csv", "grave accent in name"]


def test_twelve_hour_clock_after_iso_date_haproxy_and_compact_stamps(tmp_path):
    """"<ISO date> 01:00:01 PM" is 13:00:01 (the AM/PM not left in the body); HAProxy's
    "064/100002" is the 64th day of the file's year; a 14- or 17-digit yyyyMMddHHmmss[SSS]
    under --log-format is a date, not epoch milliseconds."""
    kiosk = _read_one(tmp_path, "till.log", (
        "2024-04-12 11:59:58 AM [INFO] till open\n"
        "2024-04-12 12:30:00 PM [WARN] drawer left open\n"
        "2024-04-12 01:15:02 PM [ERROR] card reader offline\n"
        "2024-04-12 12:05:00 AM [INFO] night mode\n"
    ))
    assert kiosk["timestamp"].to_list() == [
        datetime(2024, 4, 12, 11, 59, 58, tzinfo=UTC), datetime(2024, 4, 12, 12, 30, tzinfo=UTC),
        datetime(2024, 4, 12, 13, 15, 2, tzinfo=UTC), datetime(2024, 4, 12, 0, 5, tzinfo=UTC),
    ]
    assert kiosk["severity_text"].to_list() == ["INFO", "WARN", "ERROR", "INFO"]
    assert kiosk["body"][2] == "card reader offline"
    router = _read_one(tmp_path, "router.log", (
        "I0412 09:00:01.000000       1 router.go:640] router reloaded\n"
        "[WARNING] 103/090002 (77) : Server be_http:web/pod:web-1:8080 is DOWN, reason: Layer4 timeout\n"
        "[ALERT] 103/090004 (77) : backend 'be_http:web' has no server available!\n"
    ))
    assert router["timestamp"][1:].to_list() == [
        datetime(2024, 4, 12, 9, 0, 2, tzinfo=UTC), datetime(2024, 4, 12, 9, 0, 4, tzinfo=UTC),
    ]
    assert router["severity_text"].to_list() == ["INFO", "WARN", "FATAL"]
    assert router["body"][2] == "backend 'be_http:web' has no server available!"
    batch = _read_one(tmp_path, "batch.log", (
        "20240412073001 BILL01 I RUN STARTED\n"
        "20240412073014 BILL03 E RECORD 12 INVALID\n"
    ), log_format="<Timestamp> <Program> <Level> <Content>")
    assert batch["timestamp"].to_list() == [
        datetime(2024, 4, 12, 7, 30, 1, tzinfo=UTC), datetime(2024, 4, 12, 7, 30, 14, tzinfo=UTC),
    ]
    gw = _read_one(tmp_path, "gw.log", (
        "20240412073001123 INF PAYMENTS  session opened\n"
        "20240412073002456 ERR PAYMENTS  card declined\n"
    ), log_format="<Timestamp> <Level> <Component> <Content>")
    assert gw["timestamp"].to_list() == [
        datetime(2024, 4, 12, 7, 30, 1, 123000, tzinfo=UTC), datetime(2024, 4, 12, 7, 30, 2, 456000, tzinfo=UTC),
    ]


def test_container_app_lines_python_celery_postgres_and_a_bare_traceback(tmp_path):
    """Inside `kubectl logs --timestamps` and `docker compose logs`: Python logging's default
    layout, Celery's "[stamp: LEVEL/process]", PostgreSQL's "UTC [pid] ERROR:" with its DETAIL
    line joined, and a bare Python traceback after a JSON line as one ERROR record."""
    kube = _read_one(tmp_path, "kubectl_api.log", (
        "2024-04-12T08:00:01.000000000Z 2024-04-12 08:00:00,998 - shop.orders - INFO - order 77 accepted\n"
        "2024-04-12T08:00:02.000000000Z 2024-04-12 08:00:01,999 - shop.stock - ERROR - stock lookup failed\n"
        "2024-04-12T08:00:02.000100000Z Traceback (most recent call last):\n"
        '2024-04-12T08:00:02.000100000Z   File "/srv/shop/stock.py", line 12, in lookup\n'
        "2024-04-12T08:00:02.000100000Z ConnectionError: stock service unreachable\n"
    ))
    assert kube["severity_text"].to_list() == ["INFO", "ERROR"]
    assert kube["body"][0] == "order 77 accepted"
    assert kube["body"][1].startswith("stock lookup failed\nTraceback (most recent call last):\n")
    assert kube["n_lines"].to_list() == [1, 4]
    compose = _read_one(tmp_path, "compose.txt", (
        "pg-1      | 2024-04-12 08:00:00.100 UTC [1] LOG:  database system is ready to accept connections\n"
        "tasks-1   | [2024-04-12 08:00:01,200: INFO/MainProcess] Connected to amqp://guest@mq:5672//\n"
        "tasks-1   | [2024-04-12 08:00:03,300: ERROR/ForkPoolWorker-1] Task shop.send_mail raised SMTPError\n"
        "pg-1      | 2024-04-12 08:00:04.400 UTC [61] ERROR:  insert or update violates foreign key constraint\n"
        "pg-1      | 2024-04-12 08:00:04.400 UTC [61] DETAIL:  Key (cart_id)=(9) is not present in table \"cart\".\n"
        "pg-1      | 2024-04-12 08:00:05.500 UTC [62] LOG:  checkpoint starting: time\n"
    ))
    assert compose["service"].to_list() == ["pg", "tasks", "tasks", "pg", "pg"]
    assert compose["severity_text"].to_list() == ["INFO", "INFO", "ERROR", "ERROR", "INFO"]
    assert compose["body"].to_list() == [
        "database system is ready to accept connections",
        "Connected to amqp://guest@mq:5672//",
        "Task shop.send_mail raised SMTPError",
        "insert or update violates foreign key constraint\nDETAIL:  Key (cart_id)=(9) is not present in table \"cart\".",
        "checkpoint starting: time",
    ]
    assert compose["n_lines"].to_list() == [1, 1, 1, 2, 1]
    crash = _read_one(tmp_path, "compose_crash.txt", (
        'api-1   | 2024-04-12T08:00:01.000000000Z {"level":"info","msg":"render queued","job":"J-4"}\n'
        "api-1   | 2024-04-12T08:00:02.000000000Z Traceback (most recent call last):\n"
        'api-1   | 2024-04-12T08:00:02.000100000Z   File "/srv/render.py", line 9, in run\n'
        "api-1   | 2024-04-12T08:00:02.000100000Z MemoryError\n"
        'web-1   | 2024-04-12T08:00:03.000000000Z {"level":"error","msg":"upstream 500"}\n'
    ))
    assert crash["n_lines"].to_list() == [1, 3, 1]
    assert crash["severity_text"].to_list() == ["INFO", "ERROR", "ERROR"]
    assert crash["body"][1] == 'Traceback (most recent call last):\n  File "/srv/render.py", line 9, in run\nMemoryError'


def test_kubectl_prefix_and_stern_name_the_pods_workload(tmp_path):
    """`kubectl logs --prefix` and stern put the pod and container before each app line: the
    pod's workload is the service, the app line is read, stack traces join per container."""
    kubectl = _read_one(tmp_path, "orders_prefix.txt", (
        "[pod/billing-5d8f7c9b4-qxzrt/billing] 2024-04-12 08:00:01,100 INFO  [main] c.a.b.Boot - started\n"
        "[pod/billing-5d8f7c9b4-wvxkl/billing] 2024-04-12 08:00:02,200 ERROR [kafka-1] c.a.b.Listener - bad record\n"
        "[pod/billing-5d8f7c9b4-qxzrt/billing] 2024-04-12 08:00:02,250 WARN  [main] c.a.b.Health - pool low\n"
        "[pod/billing-5d8f7c9b4-wvxkl/billing] org.apache.kafka.common.errors.SerializationException: bad magic\n"
        "[pod/billing-5d8f7c9b4-wvxkl/billing] \tat io.confluent.Deser.read(Deser.java:250)\n"
    ))
    assert kubectl["format"].unique().to_list() == ["pod-prefix"]
    assert kubectl["service"].to_list() == ["billing"] * 3
    assert kubectl["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert kubectl["body"][1] == (
        "bad record\norg.apache.kafka.common.errors.SerializationException: bad magic\n"
        "\tat io.confluent.Deser.read(Deser.java:250)"
    )
    assert kubectl["timestamp"][1] == datetime(2024, 4, 12, 8, 0, 2, 200000, tzinfo=UTC)
    stern = _read_one(tmp_path, "stern.txt", (
        "cart-6b7c8d9f5-hjkmn cart 2024-04-12T08:00:01.000500Z 2024-04-12 08:00:01.000 INFO  [main] c.a.Cart - loaded\n"
        "cart-6b7c8d9f5-pqrst cart 2024-04-12T08:00:02.000500Z 2024-04-12 08:00:02.000 ERROR [http-2] c.a.Pay - declined\n"
    ))
    assert stern["service"].to_list() == ["cart", "cart"]
    assert stern["severity_text"].to_list() == ["INFO", "ERROR"]
    assert stern["body"].to_list() == ["loaded", "declined"]
    assert '"k8s.pod.name":"cart-6b7c8d9f5-pqrst"' in stern["attributes"][1]


def test_cisco_message_ids_and_krb5kdc_levels(tmp_path):
    """A Cisco message id ("%ASA-4-106023:") is no syslog tag: the message starts with it and
    its severity digit is the level (a line without PRI); IOS' logging buffer lines are read
    the same way; krb5kdc's "(err)" after its pid is the level."""
    asa = _read_one(tmp_path, "edge-fw.log", (
        "Apr 12 08:00:01 fw-a.corp.example %ASA-6-302013: Built inbound TCP connection 91 for outside:198.51.100.4/5100\n"
        "Apr 12 08:00:02 fw-a.corp.example %ASA-4-106023: Deny tcp src outside:198.51.100.9/40000 dst inside:10.0.0.5/22\n"
        "Apr 12 08:00:03 fw-b.corp.example %ASA-2-106001: Inbound TCP connection denied from 203.0.113.7/1 to 10.0.0.9/25\n"
        "Apr 12 08:00:04 fw-b.corp.example sshd[812]: Accepted publickey for ops from 10.0.0.2 port 50122\n"
    ))
    assert asa["severity_text"].to_list() == ["INFO", "WARN", "FATAL", None]
    assert asa["service"].to_list() == ["edge-fw", "edge-fw", "edge-fw", "sshd"]
    assert asa["body"][1].startswith("%ASA-4-106023: Deny tcp src")
    assert '"host":"fw-b.corp.example"' in asa["attributes"][2]
    ios = _read_one(tmp_path, "dist-sw02.log", (
        "004411: Apr 12 08:00:01.120 UTC: %LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/4, changed state to down\n"
        "004412: Apr 12 08:00:02.340 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface Te1/0/4, changed state to down\n"
        "004413: *Apr 12 08:00:03.001: %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5)\n"
    ))
    assert ios["severity_text"].to_list() == ["ERROR", "INFO", "INFO"]
    assert ios["body"][0] == "%LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/4, changed state to down"
    assert ios["timestamp"][1] == datetime(2024, 4, 12, 8, 0, 2, 340000, tzinfo=UTC)
    kdc = _read_one(tmp_path, "kdc.log", (
        "Apr 12 08:00:01 kdc-1.corp.example krb5kdc[2211](info): AS_REQ (4 etypes {18 17}) 10.0.0.7: ISSUE: authtime 1712908801\n"
        "Apr 12 08:00:02 kdc-1.corp.example krb5kdc[2211](err): Cannot open DB2 database '/var/kerberos/principal'\n"
    ))
    assert kdc["severity_text"].to_list() == ["INFO", "ERROR"]
    assert kdc["service"].to_list() == ["krb5kdc", "krb5kdc"]
    assert kdc["body"][1] == "Cannot open DB2 database '/var/kerberos/principal'"


def test_home_assistant_trino_thread_with_a_blank_and_suricata_fast_log(tmp_path):
    """Home Assistant's "(thread) [logger]" after the level is head; a Trino thread name with
    a blank ("Service Thread") does not push the logger into the message; Suricata's
    fast.log alerts are stamped, their [Priority: N] the level."""
    ha = _read_one(tmp_path, "home-assistant.log", (
        "2024-04-12 08:00:01.100 INFO (MainThread) [homeassistant.setup] Setting up zone\n"
        "2024-04-12 08:00:02.200 ERROR (SyncWorker_3) [homeassistant.components.mqtt] Lost broker connection\n"
    ))
    assert ha["body"].to_list() == ["Setting up zone", "Lost broker connection"]
    assert '"thread":"SyncWorker_3"' in ha["attributes"][1]
    assert '"logger":"homeassistant.components.mqtt"' in ha["attributes"][1]
    trino = _read_one(tmp_path, "server.log", "".join(
        f"2024-04-12T08:00:{i:02d}.000Z\tINFO\tquery-execution-{i}\tio.trino.execution.QueryStateMachine\tquery {i} finished\n"
        for i in range(6)
    ) + "2024-04-12T08:00:07.000Z\tINFO\tService Thread\tio.airlift.stats.JmxGcMonitor\tMajor GC: application 519ms\n")
    assert trino["body"][6] == "Major GC: application 519ms"
    assert '"thread":"Service Thread"' in trino["attributes"][6]
    fast = _read_one(tmp_path, "fast.log", (
        "04/12/2024-08:00:01.100200  [**] [1:2210054:1] SURICATA STREAM excessive retransmissions [**] "
        "[Classification: Generic Protocol Command Decode] [Priority: 3] {TCP} 10.0.0.5:52474 -> 10.0.9.1:443\n"
        "04/12/2024-08:00:02.300400  [**] [1:2010935:3] ET SCAN Suspicious inbound to MSSQL port 1433 [**] "
        "[Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 198.51.100.4:16133 -> 10.0.0.7:1433\n"
        "04/12/2024-08:00:03.500600  [**] [1:2024897:2] ET EXPLOIT Possible CVE-2017-5638 [**] "
        "[Classification: Attempted Administrator Privilege Gain] [Priority: 1] {TCP} 203.0.113.9:4444 -> 10.0.0.8:8080\n"
    ))
    assert fast["timestamp"][0] == datetime(2024, 4, 12, 8, 0, 1, 100200, tzinfo=UTC)
    assert fast["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert fast["body"][1].startswith("[**] [1:2010935:3] ET SCAN Suspicious inbound")


def test_ios_syslog_levels_zookeeper_myid_and_mirth_logger(tmp_path):
    """idevicesyslog's "<Error>:" after the pid is the level (the subsystem in parentheses is
    not the service's); ZooKeeper's "[myid:2] - LEVEL [thread with an IPv6 bracket] - " and
    Mirth's "LEVEL (logger:line): " are head."""
    ios = _read_one(tmp_path, "iphone.txt", (
        "Apr 12 08:00:01 iPad-Store-3 SpringBoard(FrontBoard)[58] <Notice>: Workspace assertion changed\n"
        "Apr 12 08:00:02 iPad-Store-3 TillApp(CFNetwork)[812] <Error>: Task <1A2B>.<7> HTTP load failed\n"
        "Apr 12 08:00:03 iPad-Store-3 TillApp[812] <Warning>: Memory warning received\n"
    ))
    assert ios["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert ios["service"].to_list() == ["SpringBoard", "TillApp", "TillApp"]
    assert ios["body"][1] == "Task <1A2B>.<7> HTTP load failed"
    zk = _read_one(tmp_path, "zookeeper.log", (
        "2024-04-12 08:00:01,100 [myid:3] - INFO  [QuorumPeer[myid=3](plain=[0:0:0:0:0:0:0:0]:2181)(secure=disabled):"
        "o.a.z.s.q.QuorumPeer@1446] - LOOKING\n"
        "2024-04-12 08:00:02,200 [myid:3] - WARN  [QuorumConnectionThread-[myid=3]-2:o.a.z.s.q.QuorumCnxManager@400] - "
        "Cannot open channel to 1 at election address zk-1/10.0.0.11:3888\n"
    ))
    assert zk["body"].to_list() == ["LOOKING", "Cannot open channel to 1 at election address zk-1/10.0.0.11:3888"]
    mirth = _read_one(tmp_path, "mirth.log", (
        "[2024-04-12 08:00:01,100]  INFO  (com.mirth.connect.server.Mirth:339): server started\n"
        "[2024-04-12 08:00:02,200]  ERROR (com.mirth.connect.connectors.tcp.TcpReceiver:512): Error receiving message\n"
        "java.net.SocketException: Connection reset\n"
        "[2024-04-12 08:00:03,300]  WARN  (transformer:?): MSH-9 message type not mapped\n"
    ))
    assert mirth["body"].to_list() == [
        "server started", "Error receiving message\njava.net.SocketException: Connection reset",
        "MSH-9 message type not mapped",
    ]
    assert '"logger":"com.mirth.connect.connectors.tcp.TcpReceiver"' in mirth["attributes"][1]


def test_java_util_logging_on_a_spanish_jvm(tmp_path):
    """Tomcat's catalina log on a Spanish JVM: a lower-case Spanish month ("dic") in the
    header line, the level below it in Spanish (GRAVE is SEVERE)."""
    out = _read_one(tmp_path, "catalina.2024-12-03.log", (
        "dic 03, 2024 9:00:01 AM org.apache.catalina.startup.Catalina start\n"
        "INFORMACIÓN: Server startup in [2314] milliseconds\n"
        "dic 03, 2024 1:15:05 PM org.apache.catalina.core.StandardWrapperValve invoke\n"
        "GRAVE: Servlet.service() for servlet [dispatcher] threw exception\n"
        "java.lang.IllegalStateException: pool exhausted\n"
        "\tat com.tienda.Pool.get(Pool.java:77)\n"
        "dic 03, 2024 1:16:00 PM org.apache.catalina.loader.WebappClassLoaderBase clearReferencesThreads\n"
        "ADVERTENCIA: The web application [tienda] appears to have started a thread named [pool-2]\n"
    ))
    assert out["timestamp"].to_list() == [
        datetime(2024, 12, 3, 9, 0, 1, tzinfo=UTC), datetime(2024, 12, 3, 13, 15, 5, tzinfo=UTC),
        datetime(2024, 12, 3, 13, 16, tzinfo=UTC),
    ]
    assert out["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert out["body"][1].startswith("Servlet.service() for servlet [dispatcher] threw exception\njava.lang.")
    assert out["n_lines"].to_list() == [2, 4, 2]


def test_access_log_lines_of_an_nginx_container(tmp_path):
    """An nginx container's access lines in `docker compose logs` are read as the access
    format reads them: `METHOD path status`, the level from the status, the request's time."""
    out = _read_one(tmp_path, "compose_edge.txt", (
        'proxy-1  | 172.18.0.1 - - [12/Apr/2024:08:00:01 +0000] "GET /api/items?page=2 HTTP/1.1" 200 512 "-" "curl/8.4.0"\n'
        "app-1    | 2024-04-12 08:00:02,000 ERROR [main] c.a.Orders - charge failed\n"
        'proxy-1  | 172.18.0.1 - - [12/Apr/2024:08:00:02 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "curl/8.4.0"\n'
    ))
    assert out["service"].to_list() == ["proxy", "app", "proxy"]
    assert out["body"].to_list() == ["GET /api/items 200", "charge failed", "POST /api/orders 502"]
    assert out["severity_text"].to_list() == ["INFO", "ERROR", "ERROR"]
    assert out["timestamp"][2] == datetime(2024, 4, 12, 8, 0, 2, tzinfo=UTC)


def test_minecraft_java_service_wrapper_and_windows_update_logs(tmp_path):
    """Minecraft's "[HH:MM:SS] [thread/LEVEL]: " (dated by the file's modification time), the
    Java Service Wrapper's "LEVEL | jvm 1 | stamp | " (an app line's own level letter wins)
    and WindowsUpdate.log's "stamp pid tid Component " ("*FAILED*" is an error)."""
    import os
    import warnings

    mc = tmp_path / "latest.log"
    mc.write_text(
        "[08:00:01] [Server thread/INFO]: Starting minecraft server version 1.20.4\n"
        "[08:05:00] [Server thread/WARN]: Can't keep up! Is the server overloaded?\n"
        "[08:06:12] [Server thread/ERROR]: Encountered an unexpected exception\n"
        "java.lang.OutOfMemoryError: Java heap space\n",
        encoding="utf-8",
    )
    stamp = datetime(2024, 4, 12, 9, 0, tzinfo=UTC).timestamp()
    os.utime(mc, (stamp, stamp))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = read_logs(mc)
    assert got["timestamp"].to_list() == [
        datetime(2024, 4, 12, 8, 0, 1, tzinfo=UTC), datetime(2024, 4, 12, 8, 5, tzinfo=UTC),
        datetime(2024, 4, 12, 8, 6, 12, tzinfo=UTC),
    ]
    assert got["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert got["n_lines"].to_list() == [1, 1, 2]
    wrapper = _read_one(tmp_path, "wrapper.log", (
        "STATUS | wrapper  | 2024/04/12 08:00:00 | --> Wrapper Started as Service\n"
        "INFO   | jvm 1    | 2024/04/12 08:00:05 | I [o.e.j.s.Server      ] [08:00:05]: Started @4211ms\n"
        "INFO   | jvm 1    | 2024/04/12 08:00:30 | E [OpcUaConnection     ] [08:00:30]: connection to plc-04 failed\n"
        "ERROR  | wrapper  | 2024/04/12 08:02:00 | JVM appears hung: Timed out waiting for signal from JVM.\n"
    ))
    assert wrapper["timestamp"][2] == datetime(2024, 4, 12, 8, 0, 30, tzinfo=UTC)
    assert wrapper["severity_text"].to_list() == ["INFO", "INFO", "ERROR", "ERROR"]
    assert wrapper["body"][0] == "--> Wrapper Started as Service"
    wu = _read_one(tmp_path, "WindowsUpdate.log", (
        "2024/04/12 08:00:01.1234567 1234  5678  Agent           * START *  Finding updates\n"
        "2024/04/12 08:00:07.0000000 1234  5678  Misc            *FAILED* [80244022] Method failed\n"
    ))
    assert wu["body"].to_list() == ["* START *  Finding updates", "*FAILED* [80244022] Method failed"]
    assert wu["severity_text"].to_list() == [None, "ERROR"]
    assert '"logger":"Misc"' in wu["attributes"][1]


def test_every_line_indented_alike_nomad_agent(tmp_path):
    """`nomad agent` indents every line it prints: the indent is not a continuation mark."""
    out = _read_one(tmp_path, "nomad.log", (
        "    2024-04-12T08:00:01.001Z [INFO]  client.alloc_runner.task_runner: Task event: task=web type=Started\n"
        "    2024-04-12T08:00:07.200Z [ERROR] client.driver_mgr.docker: failed to create container: driver=docker\n"
        "    2024-04-12T08:00:07.300Z [WARN]  client.alloc_runner.task_runner: Restarting task: task=web delay=16.3s\n"
    ))
    assert out["format"].unique().to_list() == ["text"]
    assert out["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert out["body"][1] == "failed to create container: driver=docker"
    assert out["timestamp"][0] == datetime(2024, 4, 12, 8, 0, 1, 1000, tzinfo=UTC)


def test_lambda_platform_lines_keep_their_text(tmp_path):
    """START, END and REPORT lines keep their keyword and request id in the body (END's
    body is not empty)."""
    rid = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    out = _read_one(tmp_path, "fn.log", (
        f"START RequestId: {rid} Version: $LATEST\n"
        f"2024-04-12T08:00:01.120Z\t{rid}\tINFO\tprocessing order 7781\n"
        f"END RequestId: {rid}\n"
        f"REPORT RequestId: {rid}\tDuration: 3012.55 ms\tBilled Duration: 3013 ms\n"
    ))
    assert out["body"].to_list() == [
        f"START RequestId: {rid} Version: $LATEST", "processing order 7781", f"END RequestId: {rid}",
        f"REPORT RequestId: {rid}\tDuration: 3012.55 ms\tBilled Duration: 3013 ms",
    ]


def test_macos_log_show(tmp_path):
    """macOS' `log show`: the stamp with its offset, the type as level (Default is INFO,
    Fault FATAL), the process as logger; its header and closing counts are records of their own."""
    rule = "-" * 116
    out = _read_one(tmp_path, "unified.txt", (
        "Timestamp                       Thread     Type        Activity             PID    TTL  \n"
        "2024-04-12 10:00:01.123456+0200 0x1a2b3    Default     0x0                  412    0    TillApp: session resumed\n"
        "2024-04-12 10:00:02.500000+0200 0x1a2b3    Error       0x0                  412    0    TillApp: (CFNetwork) Task <3> failed\n"
        "2024-04-12 10:00:03.000001+0200 0x1a2c0    Fault       0x0                  412    0    TillApp: Core Data save failed\n"
        f"{rule}\n"
        "Log      - Default:          1, Info:                0, Debug:             0, Error:          1, Fault:          1\n"
    ))
    body = out.filter(pl.col("timestamp").is_not_null())
    assert body["timestamp"][0] == datetime(2024, 4, 12, 8, 0, 1, 123456, tzinfo=UTC)
    assert body["severity_text"].to_list() == ["INFO", "ERROR", "FATAL"]
    assert body["body"].to_list() == ["session resumed", "(CFNetwork) Task <3> failed", "Core Data save failed"]
    assert out["n_lines"].to_list() == [1] * 6


def test_istio_proxy_lines_among_a_pods_app_lines(tmp_path):
    """stern's interleaved istio-proxy access line is read as the envoy format reads it."""
    out = _read_one(tmp_path, "stern_cart.txt", (
        "cart-6b7c8d9f5-hjkmn cart 2024-04-12T08:00:01.000500Z 2024-04-12 08:00:01.000 ERROR [http-1] c.a.Pay - declined\n"
        'cart-6b7c8d9f5-hjkmn istio-proxy 2024-04-12T08:00:01.100000Z [2024-04-12T08:00:01.099Z] "POST /charge HTTP/1.1" '
        '504 UT 0 24 15001 - "-" "Go-http-client/1.1" "7f1e" "payments:8080" "10.1.2.3:8080"\n'
    ))
    assert out["body"].to_list() == ["declined", "POST /charge 504 UT"]
    assert out["severity_text"].to_list() == ["ERROR", "ERROR"]
    assert out["service"].to_list() == ["cart", "cart"]


def test_tomcat_on_italian_and_french_jvms(tmp_path):
    """The month abbreviations of an Italian JVM in Tomcat's OneLineFormatter (``15-ott-2024``,
    lower case) and of a French one in java.util.logging's (``févr. 27, 2024``: four letters
    and a dot, an accent; ``mars``, ``juin`` without a dot)."""
    it = _read_one(tmp_path, "catalina-it.log", (
        "15-ott-2024 10:00:01.123 INFO [main] org.apache.catalina.startup.Catalina.start Avvio terminato in [1234] millisecondi\n"
        "15-ott-2024 10:05:02.456 GRAVE [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() ha generato un'eccezione\n"
        "java.lang.IllegalStateException: carrello vuoto\n"
        "\tat com.shop.web.CartController.add(CartController.java:55)\n"
        "15-ott-2024 10:06:00.000 AVVERTENZA [main] org.apache.catalina.loader.WebappClassLoaderBase.clearReferencesThreads thread [pool-1]\n"
    ))
    assert it["timestamp"].to_list() == [
        datetime(2024, 10, 15, 10, 0, 1, 123000, tzinfo=UTC), datetime(2024, 10, 15, 10, 5, 2, 456000, tzinfo=UTC),
        datetime(2024, 10, 15, 10, 6, tzinfo=UTC),
    ]
    assert it["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert it["n_lines"].to_list() == [1, 3, 1]
    # (the source class and method are the logger, in Italian as in English)
    assert it["body"][0] == "Avvio terminato in [1234] millisecondi"
    assert it["body"][2] == "thread [pool-1]"
    fr = _read_one(tmp_path, "catalina-fr.log", (
        "févr. 27, 2024 10:00:05 AM org.apache.catalina.startup.Catalina start\n"
        "INFO: Server startup in 1234 ms\n"
        "févr. 27, 2024 1:15:07 PM org.apache.catalina.core.StandardWrapperValve invoke\n"
        "GRAVE: Servlet.service() for servlet [dispatcher] threw exception\n"
        "java.lang.NullPointerException\n"
        "\tat com.shop.web.CartController.add(CartController.java:55)\n"
        "mars 01, 2024 1:16:00 PM org.apache.catalina.loader.WebappClassLoaderBase clearReferencesThreads\n"
        "AVERTISSEMENT: The web application [shop] appears to have started a thread named [pool-1]\n"
        "août 02, 2024 9:00:00 AM org.apache.catalina.startup.Catalina stop\n"
        "INFO: Stopping\n"
    ))
    assert fr["timestamp"].to_list() == [
        datetime(2024, 2, 27, 10, 0, 5, tzinfo=UTC), datetime(2024, 2, 27, 13, 15, 7, tzinfo=UTC),
        datetime(2024, 3, 1, 13, 16, tzinfo=UTC), datetime(2024, 8, 2, 9, 0, tzinfo=UTC),
    ]
    assert fr["severity_text"].to_list() == ["INFO", "ERROR", "WARN", "INFO"]
    assert fr["n_lines"].to_list() == [2, 4, 2, 2]
