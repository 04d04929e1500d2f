"""Server and appliance log layouts found unread by a blind probe (probe O): Jetty's
StdErrLog, glog with a year, Go's log with a prefix, Db2's diagnostic blocks, Couchbase's
ns_server logs, Squid's cache.log, Zabbix, Mule's runtime log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rcakit.errors import RcakitWarning
from rcakit.ingest import read_logs

from ._ingest_helpers import attrs


def _read(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    out = read_logs(path, year=2024)
    assert out["n_lines"].sum() == text.count("\n")
    return out.to_dicts()


def _t(h: int, m: int, s: int, us: int = 0) -> datetime:
    return datetime(2024, 3, 1, h, m, s, us, tzinfo=UTC)


JETTY = """\
2024-03-01 09:12:00.501:INFO:oejs.Server:main: jetty-9.4.51.v20230217; built: 2023-02-17T08:19:37.309Z
2024-03-01 09:12:01.002:INFO:oejs.AbstractConnector:main: Started ServerConnector@1a2b3c4d{HTTP/1.1, (http/1.1)}{0.0.0.0:8080}
2024-03-01 09:12:07.250:WARN:oejs.HttpChannel:qtp381259350-23: /checkout/pay
java.lang.IllegalStateException: cart is empty
\tat com.example.cart.CartServlet.doPost(CartServlet.java:88)
\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:517)
2024-03-01 09:12:09.100:WARN :oejs.ServletHandler:qtp381259350-24: Error for /checkout/pay
2024-03-01 09:12:11.000:INFO :oejs.session:Scheduler-1: node0 Scavenging every 600000ms
"""


def test_jetty_stderrlog(tmp_path):
    rows = _read(tmp_path, "jetty.log", JETTY)
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_t(9, 12, 0, 501000), "INFO", 1), (_t(9, 12, 1, 2000), "INFO", 1), (_t(9, 12, 7, 250000), "WARN", 4),
        (_t(9, 12, 9, 100000), "WARN", 1), (_t(9, 12, 11), "INFO", 1),
    ]
    assert rows[2]["body"].split("\n")[0] == "/checkout/pay"
    assert rows[3]["body"] == "Error for /checkout/pay"
    assert attrs(rows[2])["logger"] == "oejs.HttpChannel"
    assert attrs(rows[2])["thread"] == "qtp381259350-23"


GLOG = """\
Log file created at: 2024/03/01 08:00:00
Running on machine: search-3
Running duration (h:mm:ss): 0:00:00
Log line format: [IWEF]yyyymmdd hh:mm:ss.uuuuuu threadid file:line] msg
I20240301 08:00:01.250000 7781 main.cc:57] serving on :7000
W20240301 08:00:02.500000 7782 pool.cc:120] queue depth 980 above soft limit 800
F20240301 08:00:03.750000 7783 shard.cc:44] Check failed: shard != nullptr
*** Check failure stack trace: ***
    @     0x7f00deadbeef  google::LogMessage::Fail()
    @     0x55aa00c0ffee  search::Shard::Load()
"""


def test_glog_with_a_four_digit_year_and_its_file_header(tmp_path):
    rows = _read(tmp_path, "search.INFO", GLOG)
    assert [r["parse_error"] for r in rows] == [None] * 7
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows[4:6]] == [
        (_t(8, 0, 1, 250000), "INFO", "serving on :7000"),
        (_t(8, 0, 2, 500000), "WARN", "queue depth 980 above soft limit 800"),
    ]
    assert (rows[6]["severity_text"], rows[6]["n_lines"]) == ("FATAL", 4)
    assert attrs(rows[6])["logger"] == "shard.cc:44"


GOLOG = """\
billing: 2024/03/01 07:30:00.100000 main.go:31: starting billing worker
billing: 2024/03/01 07:30:01.200000 invoice.go:77: invoice 551 sent
billing: 2024/03/01 07:30:02.300000 invoice.go:91: error: smtp: 451 temporary failure
"""


def test_go_log_with_a_prefix_before_the_stamp(tmp_path):
    rows = _read(tmp_path, "billing.log", GOLOG)
    assert [(r["timestamp"], r["body"]) for r in rows] == [
        (_t(7, 30, 0, 100000), "starting billing worker"),
        (_t(7, 30, 1, 200000), "invoice 551 sent"),
        (_t(7, 30, 2, 300000), "error: smtp: 451 temporary failure"),
    ]
    assert attrs(rows[0])["logger"] == "billing"


DB2 = """\
2024-03-01-09.15.00.000100-300 I2041E512           LEVEL: Error
PID     : 4411                 TID : 139988776655    PROC : db2sysc 0
INSTANCE: db2prod              NODE : 000            DB   : ORDERS
FUNCTION: DB2 UDB, data management, sqldEscalateLocks, probe:2
MESSAGE : ADM5502W  The escalation of "1200" locks on table "SHOP.ORDERS" to lock
          intent "X" was successful.

2024-03-01-09.16.30.500000-300 I2554E300           LEVEL: Event
PID     : 4411                 TID : 139988776656    PROC : db2sysc 0
FUNCTION: DB2 UDB, base sys utilities, sqleStartUsingDatabase, probe:1
START   : DATABASE: ORDERS     : ACTIVATED: NO

2024-03-01-09.17.00.000000+330 I2855E280           LEVEL: Severe
PID     : 4411                 TID : 139988776657    PROC : db2sysc 0
MESSAGE : ZRC=0x8012006D=-2146303891=SQLB_TBSPACE_FULL
"""


def test_db2diag_blocks(tmp_path):
    rows = _read(tmp_path, "db2diag.log", DB2)
    # the zone offset is in minutes: -300 is UTC-5, +330 UTC+5:30
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_t(14, 15, 0, 100), "ERROR", 7), (_t(14, 16, 30, 500000), "INFO", 5), (_t(3, 47, 0), "ERROR", 3),
    ]
    assert "ADM5502W" in rows[0]["body"]
    assert attrs(rows[0])["code"] == "I2041E512"


COUCHBASE = """\
[ns_server:error,2024-03-01T06:00:01.500Z,ns_1@cb-1.internal:<0.4711.0>:menelaus_web:loop:143]Server error during processing: ["web request failed",
                                                                     {path,"/pools/default/buckets"},
                                                                     {type,exit}]
[ns_server:warn,2024-03-01T06:00:02.000Z,ns_1@cb-1.internal:ns_heart_slow_status_updater<0.600.0>:ns_heart:grab_latest_stats:259]Ignoring failure to grab "@system" stats:
{error,no_samples}
[ns_server:info,2024-03-01T06:00:03.000Z,ns_1@cb-1.internal:<0.900.0>:ns_memcached:ensure_bucket:1324]Created bucket "sessions"
"""


def test_couchbase_ns_server_log(tmp_path):
    rows = _read(tmp_path, "error.log", COUCHBASE)
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_t(6, 0, 1, 500000), "ERROR", 3), (_t(6, 0, 2), "WARN", 2), (_t(6, 0, 3), "INFO", 1),
    ]
    assert rows[0]["body"].startswith('Server error during processing: ["web request failed",\n')
    assert rows[2]["body"] == 'Created bucket "sessions"'


SQUID = """\
2024/03/01 05:00:01 kid1| Starting Squid Cache version 6.6 for x86_64-pc-linux-gnu...
2024/03/01 05:00:02 kid1| Accepting HTTP Socket connections at conn3 local=[::]:3128 remote=[::] FD 12 flags=9
2024/03/01 05:00:09 kid1| WARNING: Forwarding loop detected for:
GET /health HTTP/1.1
Host: cache-1:3128
Via: 1.1 cache-1 (squid/6.6)

2024/03/01 05:00:10 kid1| ERROR: Connection to 10.1.2.3:443 failed.
2024/03/01 05:00:11 kid1| helperOpenServers: Starting 5/20 'ssl_crtd' processes
2024/03/01 05:00:12 kid1| helperOpenServers: Starting 5/20 'ssl_crtd' processes
"""


def test_squid_cache_log(tmp_path):
    rows = _read(tmp_path, "cache.log", SQUID)
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_t(5, 0, 1), None, 1), (_t(5, 0, 2), None, 1), (_t(5, 0, 9), "WARN", 5), (_t(5, 0, 10), "ERROR", 1),
        (_t(5, 0, 11), None, 1), (_t(5, 0, 12), None, 1),
    ]
    assert rows[0]["body"] == "Starting Squid Cache version 6.6 for x86_64-pc-linux-gnu..."
    assert rows[2]["body"].startswith("Forwarding loop detected for:\nGET /health HTTP/1.1\n")
    assert attrs(rows[0])["thread"] == "kid1"


ZABBIX = """\
  2201:20240301:040000.125 Starting Zabbix Server. Zabbix 7.0.0 (revision 49955f1fb5c).
  2207:20240301:040005.250 cannot send list of active checks to "10.9.8.7": host [app-7] not found
  2213:20240301:040010.500 [Z3005] query failed: [1213] Deadlock found when trying to get lock [update hosts set status=1
where hostid=10084;
]
 22140:20240301:040015.750 executing housekeeper
"""


def test_zabbix_server_log(tmp_path):
    rows = _read(tmp_path, "zabbix_server.log", ZABBIX)
    assert [(r["timestamp"], r["n_lines"]) for r in rows] == [
        (_t(4, 0, 0, 125000), 1), (_t(4, 0, 5, 250000), 1), (_t(4, 0, 10, 500000), 3), (_t(4, 0, 15, 750000), 1),
    ]
    assert rows[1]["body"] == 'cannot send list of active checks to "10.9.8.7": host [app-7] not found'
    assert attrs(rows[3])["pid"] == "22140"


MULE = """\
INFO  2024-03-01 03:00:01,100 [[MuleRuntime].uber.03: [payments].charge.CPU_LITE @1f2e3d4c] [processor: charge/processors/0; event: 0a1b2c3d-d7e5-11ee-8c4b-0242ac120002] org.mule.runtime.core.internal.processor.LoggerMessageProcessor: charging order 77
ERROR 2024-03-01 03:00:02,200 [[MuleRuntime].uber.03: [payments].charge.CPU_LITE @1f2e3d4c] [processor: charge/processors/1; event: 0a1b2c3d-d7e5-11ee-8c4b-0242ac120002] org.mule.runtime.core.internal.exception.OnErrorPropagateHandler:\x20
********************************************************************************
Message               : HTTP POST on resource 'http://psp.internal/charge' failed: Remotely closed.
Error type            : HTTP:CONNECTIVITY
FlowStack             : at charge(charge/processors/1 @ payments:payments.xml:31 (Charge card))

  (set debug level logging or '-Dmule.verbose.exceptions=true' for everything)
********************************************************************************
WARN  2024-03-01 03:00:03,300 [[MuleRuntime].uber.01: [payments].charge.BLOCKING @2a3b4c5d] [processor: ; event: ] org.mule.runtime.module.extension.internal.runtime.connectivity.ExtensionConnectionSupplier: Retrying psp-config
INFO  2024-03-01 03:00:04,400 [[payments].HTTP_Listener_Configuration.worker.01] org.mule.api.processor.LoggerMessageProcessor: Mule 3 line
"""


def test_mule_runtime_log(tmp_path):
    rows = _read(tmp_path, "payments.log", MULE)
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_t(3, 0, 1, 100000), "INFO", 1), (_t(3, 0, 2, 200000), "ERROR", 8), (_t(3, 0, 3, 300000), "WARN", 1),
        (_t(3, 0, 4, 400000), "INFO", 1),
    ]
    assert [r["body"].split("\n")[0] for r in rows] == ["charging order 77", "*" * 80, "Retrying psp-config", "Mule 3 line"]
    assert "Error type            : HTTP:CONNECTIVITY" in rows[1]["body"]
    assert attrs(rows[0])["logger"] == "org.mule.runtime.core.internal.processor.LoggerMessageProcessor"
    assert attrs(rows[3])["thread"] == "[payments].HTTP_Listener_Configuration.worker.01"


def test_squid_level_read_when_most_lines_have_none(tmp_path):
    """A strict head regex made from the more common lines without a level must not take
    the lines with one (the level left in the message)."""
    text = "".join(f"2024/03/01 10:00:0{i} kid1| line {i}\n" for i in range(8)) + "2024/03/01 10:00:09 kid1| ERROR: boom\n"
    rows = _read(tmp_path, "cache.log", text)
    assert (rows[-1]["severity_text"], rows[-1]["body"]) == ("ERROR", "boom")


FORTIGATE = """\
date=2024-03-01 time=09:30:01 devname="FW-EDGE-2" devid="FG100FTK2299XYZ1" eventtime=1709281801250000000 tz="+0100" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" action="accept" service="DNS" srcip=10.1.0.5 dstip=10.1.0.53
date=2024-03-01 time=09:30:04 devname="FW-EDGE-2" devid="FG100FTK2299XYZ1" tz="+0100" logid="0101037124" type="event" subtype="vpn" level="error" vd="root" action="negotiate" msg="IPsec phase 1 error"
"""


def test_fortigate_date_time_and_eventtime_pairs(tmp_path):
    rows = _read(tmp_path, "fw.log", FORTIGATE)
    # eventtime (epoch ns, UTC) when there is one, else date + time + tz
    assert [(r["timestamp"], r["severity_text"]) for r in rows] == [
        (_t(8, 30, 1, 250000), "INFO"), (_t(8, 30, 4), "ERROR"),
    ]
    assert rows[1]["body"] == "IPsec phase 1 error"
    assert not rows[0]["body"].startswith("date=")
    # service= is the traffic's protocol: the device is the service
    assert rows[0]["service"] == "FW-EDGE-2"
    assert attrs(rows[0])["fortigate.service"] == "DNS"
    assert "date" not in attrs(rows[0])


JIRA = """\
2024-03-01 08:00:01,500+0000 main INFO  [c.a.jira.startup.JiraStartupLogger] Jira starting...
2024-03-01 08:00:02,500+0000 http-nio-8080-exec-7 url: /rest/api/2/search; user: ana ERROR ana 480x991x1 1k2j3h 10.2.0.8 /rest/api/2/search [c.a.j.rest.exception.ExceptionInterceptor] Returning internal server error in response
java.lang.NullPointerException: null
\tat com.atlassian.jira.bc.issue.search.DefaultSearchService.search(DefaultSearchService.java:120)
2024-03-01 08:00:03,500+0000 Caesium-1-2 WARN  ServiceRunner     [c.a.jira.service.ServiceRunner] Mail Puller failed
"""


def test_atlassian_jira_level_after_thread_and_request_fields(tmp_path):
    rows = _read(tmp_path, "atlassian-jira.log", JIRA)
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_t(8, 0, 1, 500000), "INFO", 1), (_t(8, 0, 2, 500000), "ERROR", 3), (_t(8, 0, 3, 500000), "WARN", 1),
    ]
    assert [r["body"].split("\n")[0] for r in rows] == [
        "Jira starting...", "Returning internal server error in response", "Mail Puller failed",
    ]
    assert attrs(rows[1])["thread"] == "http-nio-8080-exec-7"
    assert attrs(rows[1])["logger"] == "c.a.j.rest.exception.ExceptionInterceptor"


PGPOOL = """\
2024-03-01 07:00:01.250: main pid 900: LOG:  Setting up socket for 0.0.0.0:9999
2024-03-01 07:00:02.250: health_check0 pid 911: ERROR:  failed to make persistent db connection
2024-03-01 07:00:02.250: health_check0 pid 911: DETAIL:  connect to host "pg-1" failed
2024-03-01 07:00:03.250: pid 912: FATAL:  pgpool is not accepting any new connections
"""


def test_pgpool_process_and_pid_before_the_level(tmp_path):
    rows = _read(tmp_path, "pgpool.log", PGPOOL)
    assert [(r["severity_text"], r["body"].split("\n")[0]) for r in rows] == [
        ("INFO", "Setting up socket for 0.0.0.0:9999"),
        ("ERROR", "failed to make persistent db connection"),
        ("FATAL", "pgpool is not accepting any new connections"),
    ]
    assert 'DETAIL:  connect to host "pg-1" failed' in rows[1]["body"]
    assert (attrs(rows[1])["thread"], attrs(rows[1])["pid"]) == ("health_check0", "911")


SMALL_LAYOUTS = {
    # Telegraf's E!/W!/I!/D!
    "telegraf.log": (
        "2024-03-01T06:00:01Z I! Starting Telegraf 1.30.0\n"
        "2024-03-01T06:00:02Z E! [outputs.kafka] Error writing to outputs.kafka: kafka: client has run out of available brokers\n"
        "2024-03-01T06:00:03Z W! [inputs.disk] Collection took longer than expected\n"
        "2024-03-01T06:00:04Z D! [agent] Flushing metrics\n",
        ["INFO", "ERROR", "WARN", "DEBUG"],
        ["Starting Telegraf 1.30.0", "Error writing to outputs.kafka: kafka: client has run out of available brokers",
         "Collection took longer than expected", "Flushing metrics"],
    ),
    # cloud-init's module[LEVEL]:
    "cloud-init.log": (
        "2024-03-01 06:00:01,100 - util.py[DEBUG]: Reading from /proc/uptime (quiet=False)\n"
        "2024-03-01 06:00:02,200 - url_helper.py[WARNING]: Calling 'http://169.254.169.254/latest/api/token' failed\n"
        "2024-03-01 06:00:03,300 - cc_apt_configure.py[ERROR]: apt-get update failed\n",
        ["DEBUG", "WARN", "ERROR"],
        ["Reading from /proc/uptime (quiet=False)", "Calling 'http://169.254.169.254/latest/api/token' failed",
         "apt-get update failed"],
    ),
    # the Azure Functions host's [Information]
    "func-host.log": (
        "2024-03-01T06:00:01.100 [Information] Executing 'Functions.Resize' (Reason='New blob', Id=77aa)\n"
        "2024-03-01T06:00:02.200 [Warning] Image 12 larger than 20 MB\n"
        "2024-03-01T06:00:03.300 [Error] Executed 'Functions.Resize' (Failed, Id=77aa, Duration=2210ms)\n"
        "2024-03-01T06:00:04.400 [Information] Executed 'Functions.Resize' (Succeeded, Id=77ab, Duration=90ms)\n",
        ["INFO", "WARN", "ERROR", "INFO"],
        ["Executing 'Functions.Resize' (Reason='New blob', Id=77aa)", "Image 12 larger than 20 MB",
         "Executed 'Functions.Resize' (Failed, Id=77aa, Duration=2210ms)", "Executed 'Functions.Resize' (Succeeded, Id=77ab, Duration=90ms)"],
    ),
    # dnf's DDEBUG and SUBDEBUG
    "dnf.log": (
        "2024-03-01T06:00:01+0000 DDEBUG Command: dnf upgrade -y\n"
        "2024-03-01T06:00:02+0000 SUBDEBUG Upgrade: openssl-1:3.0.7-27.el9.x86_64\n"
        "2024-03-01T06:00:03+0000 INFO Complete!\n",
        ["DEBUG", "TRACE", "INFO"],
        ["Command: dnf upgrade -y", "Upgrade: openssl-1:3.0.7-27.el9.x86_64", "Complete!"],
    ),
}


def test_telegraf_cloud_init_azure_functions_and_dnf_levels(tmp_path):
    for name, (text, levels, bodies) in SMALL_LAYOUTS.items():
        rows = _read(tmp_path, name, text)
        assert [r["severity_text"] for r in rows] == levels, name
        assert [r["body"] for r in rows] == bodies, name
        assert all(r["timestamp"] is not None for r in rows), name


def test_logstash_own_json_log_message_in_log_event(tmp_path):
    text = (
        '{"level":"WARN","loggerName":"logstash.outputs.elasticsearch","timeMillis":1709272801500,"thread":"[main]>worker2",'
        '"logEvent":{"message":"Could not index event to Elasticsearch.","status":400}}\n'
        '{"level":"INFO","loggerName":"logstash.runner","timeMillis":1709272802500,"thread":"[main]",'
        '"logEvent":{"message":"Starting Logstash","logstash.version":"8.13.0"}}\n'
    )
    rows = _read(tmp_path, "logstash-plain.json", text)
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows] == [
        (_t(6, 0, 1, 500000), "WARN", "Could not index event to Elasticsearch."),
        (_t(6, 0, 2, 500000), "INFO", "Starting Logstash"),
    ]
    assert attrs(rows[0])["logEvent.status"] == "400"


HEAD_FIELDS = {
    # Trino/Presto: tab-separated thread and logger
    "trino.log": (
        "2024-03-01T05:00:01.500Z\tINFO\tmain\tio.trino.server.Server\t======== SERVER STARTED ========\n"
        "2024-03-01T05:00:02.500Z\tERROR\tdispatcher-query-7\tio.trino.dispatcher.DispatchManager\tQuery 42 failed\n",
        ["INFO", "ERROR"], ["======== SERVER STARTED ========", "Query 42 failed"],
        {"thread": "dispatcher-query-7", "logger": "io.trino.dispatcher.DispatchManager"},
    ),
    # TiDB: the quoted message unquoted, the fields after it kept
    "tidb.log": (
        '[2024/03/01 05:00:01.500 +00:00] [INFO] [server.go:246] ["server is running MySQL protocol"] [addr=0.0.0.0:4000]\n'
        '[2024/03/01 05:00:02.500 +00:00] [WARN] [session.go:1234] ["run statement failed"] [conn=77] [error="[kv:9007]Write conflict"]\n',
        ["INFO", "WARN"],
        ["server is running MySQL protocol [addr=0.0.0.0:4000]", 'run statement failed [conn=77] [error="[kv:9007]Write conflict"]'],
        {"code": "session.go:1234"},
    ),
    # SonarQube: process[request id][logger]
    "sonar.log": (
        "2024.03.01 05:00:01 INFO  web[][o.s.p.ProcessEntryPoint] Starting Web Server\n"
        "2024.03.01 05:00:02 ERROR web[AY4f00aa11bb22cc33dd][o.s.s.w.WebServiceEngine] Fail to process request\n",
        ["INFO", "ERROR"], ["Starting Web Server", "Fail to process request"],
        {"logger": "o.s.s.w.WebServiceEngine", "thread": "web", "mdc": "AY4f00aa11bb22cc33dd"},
    ),
    # Solr: (thread) [MDC] logger message
    "solr.log": (
        "2024-03-01 05:00:01.500 INFO  (main) [   ] o.e.j.s.Server jetty-10.0.19\n"
        "2024-03-01 05:00:02.500 ERROR (qtp99-21) [c:products s:shard1 x:products_shard1_replica_n1] o.a.s.h.RequestHandlerBase org.apache.solr.common.SolrException: undefined field price_usd\n",
        ["INFO", "ERROR"], ["jetty-10.0.19", "org.apache.solr.common.SolrException: undefined field price_usd"],
        {"thread": "qtp99-21", "logger": "o.a.s.h.RequestHandlerBase"},
    ),
    # Helidon: logger Thread[...]:
    "helidon.log": (
        "2024.03.01 05:00:01 INFO io.helidon.webserver.LoomServer Thread[#1,main,5,main]: Started all channels\n"
        "2024.03.01 05:00:02 SEVERE io.helidon.webserver.http.ErrorHandlers Thread[#62,[0x5b1f 0x1a2b],5,main]: Unexpected exception\n",
        ["INFO", "ERROR"], ["Started all channels", "Unexpected exception"],
        {"logger": "io.helidon.webserver.http.ErrorHandlers"},
    ),
    # Nexus: [thread] user logger - message (the message may hold " - ")
    "nexus.log": (
        "2024-03-01 05:00:01,500+0000 INFO  [jetty-main-1] *SYSTEM org.sonatype.nexus.bootstrap.jetty.JettyServer - Started Sonatype Nexus\n"
        "2024-03-01 05:00:02,500+0000 WARN  [qtp77-89] admin org.sonatype.nexus.repository.httpclient.internal.HttpClientFacetImpl - Status changed - reason n/a\n",
        ["INFO", "WARN"], ["Started Sonatype Nexus", "Status changed - reason n/a"],
        {"thread": "qtp77-89", "mdc": "admin"},
    ),
    # Artifactory 7: [service] [LEVEL] [trace] [logger:line] [thread] -
    "artifactory-service.log": (
        "2024-03-01T05:00:01.500Z [jfrt ] [INFO ] [0000000000000000] [o.a.s.ArtifactoryApplication:85] [main                ] - Artifactory started\n"
        "2024-03-01T05:00:02.500Z [jfrt ] [ERROR] [000000013c6ef362] [o.a.r.d.DbStorage:212] [art-exec-12          ] - Could not commit transaction\n",
        ["INFO", "ERROR"], ["Artifactory started", "Could not commit transaction"],
        {"thread": "art-exec-12", "code": "o.a.r.d.DbStorage:212"},
    ),
    # katip: every field in brackets
    "reports.log": (
        "[2024-03-01 05:00:01][reports.web][Info][ip-10-0-3-17][4100][ThreadId 20][main:Main src/Main.hs:40:5] Server starting\n"
        "[2024-03-01 05:00:02][reports.web][Error][ip-10-0-3-17][4101][ThreadId 23][main:Main src/Main.hs:43:5] Report 7 failed\n",
        ["INFO", "ERROR"], ["Server starting", "Report 7 failed"],
        {"logger": "reports.web", "pid": "4101", "thread": "ThreadId 23"},
    ),
    # Windows CBS.log: the component column is the logger
    "CBS.log": (
        "2024-03-01 05:00:01, Info                  CBS    Starting TrustedInstaller initialization.\n"
        "2024-03-01 05:00:02, Error                 CSI    00000002 (F) STATUS_SXS_ASSEMBLY_MISSING #1\n",
        ["INFO", "ERROR"], ["Starting TrustedInstaller initialization.", "00000002 (F) STATUS_SXS_ASSEMBLY_MISSING #1"],
        {"logger": "CSI"},
    ),
    # Neo4j: the database context after the logger
    "neo4j-debug.log": (
        "2024-03-01 05:00:01.500+0000 WARN  [o.n.k.i.c.VmPauseMonitorComponent] Detected VM stop-the-world pause\n"
        "2024-03-01 05:00:02.500+0000 INFO  [o.n.k.i.t.l.c.CheckPointerImpl] [neo4j/8b7c6d5e] Checkpoint started\n",
        ["WARN", "INFO"], ["Detected VM stop-the-world pause", "Checkpoint started"],
        {"logger": "o.n.k.i.t.l.c.CheckPointerImpl", "mdc": "neo4j/8b7c6d5e"},
    ),
    # loguru's SUCCESS
    "worker.log": (
        "2024-03-01 05:00:01.500 | INFO     | shop.worker:main:80 - Worker started\n"
        "2024-03-01 05:00:02.500 | SUCCESS  | shop.worker:process:62 - Invoice 8812 rendered\n",
        ["INFO", "INFO"], ["Worker started", "Invoice 8812 rendered"],
        {"logger": "shop.worker:process:62"},
    ),
}


def test_head_fields_left_out_of_the_message(tmp_path):
    """Logger, thread and context fields of these layouts were left at the start of every
    message (or the level unread: loguru's SUCCESS)."""
    for name, (text, levels, bodies, last_attrs) in HEAD_FIELDS.items():
        rows = _read(tmp_path, name, text)
        assert [r["severity_text"] for r in rows] == levels, name
        assert [r["body"] for r in rows] == bodies, name
        assert rows[0]["timestamp"] == _t(5, 0, 1, 500000 if ".500" in text.split("\n")[0] or ",500" in text.split("\n")[0] else 0), name
        got = attrs(rows[-1])
        assert {k: got.get(k) for k in last_attrs} == last_attrs, name


def test_epoch_milliseconds_with_a_fraction_keep_the_microseconds(tmp_path):
    text = (
        '{"ts": 1709287201123.456, "caller": "controller/sync.go:100", "msg": "Starting controller", "v": 0}\n'
        '{"ts": 1709287202323.5, "caller": "controller/sync.go:101", "msg": "Syncing object", "v": 2}\n'
    )
    rows = _read(tmp_path, "cert-controller.log", text)
    assert [r["timestamp"] for r in rows] == [_t(10, 0, 1, 123456), _t(10, 0, 2, 323500)]


def test_level_after_a_program_tag_or_inside_the_stamp_bracket(tmp_path):
    """A level the head regexes did not look for: after a tag and id (Go's log prefix,
    a program[pid] tag, a platform's source[id] and region), glued to its bracket, or a
    letter in the bracket that holds the stamp."""
    nats = _read(tmp_path, "nats-server.log", (
        "[1] 2024/03/01 10:00:01.123456 [INF] Starting nats-server\n"
        "[1] 2024/03/01 10:00:05.000000 [ERR] 10.0.0.9:51240 - cid:6 - authentication error\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in nats] == [
        ("INFO", "Starting nats-server"), ("ERROR", "10.0.0.9:51240 - cid:6 - authentication error"),
    ]
    assert nats[0]["timestamp"] == _t(10, 0, 1, 123456)
    unbound = _read(tmp_path, "unbound.log", (
        "[1709287201] unbound[1234:0] notice: init module 0: subnetcache\n"
        "[1709287204] unbound[1234:1] error: SERVFAIL <shop.example.com. A IN>: all servers failed\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in unbound] == [
        ("INFO", "init module 0: subnetcache"), ("ERROR", "SERVFAIL <shop.example.com. A IN>: all servers failed"),
    ]
    assert unbound[1]["timestamp"] == _t(10, 0, 4)
    fly = _read(tmp_path, "fly-logs.txt", (
        "2024-03-01T10:00:01Z app[9080e621c04e87] ams [info]Listening on 0.0.0.0:8080\n"
        "2024-03-01T10:00:02Z proxy[9080e621c04e87] ams [error][PU02] could not complete HTTP request to instance\n"
        "2024-03-01T10:00:03Z health[9080e621c04e87] ams [warn]Health check on port 8080 has failed.\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in fly] == [
        ("INFO", "Listening on 0.0.0.0:8080"),
        ("ERROR", "[PU02] could not complete HTTP request to instance"),
        ("WARN", "Health check on port 8080 has failed."),
    ]
    # a tag without a level after it stays the message's
    plain = _read(tmp_path, "plain.log", "2024-03-01T10:00:01Z sshd[812]: Accepted publickey for deploy\n")
    assert (plain[0]["severity_text"], plain[0]["body"]) == (None, "sshd[812]: Accepted publickey for deploy")
    passenger = _read(tmp_path, "passenger.log", (
        "[ N 2024-03-01 10:00:01.1234 7/T1 age/Wat/WatchdogMain.cpp:1373 ]: Starting Passenger watchdog...\n"
        "[ E 2024-03-01 10:00:05.5000 10/T8 age/Cor/App/Implementation.cpp:221 ]: Could not spawn process\n"
        "[ C 2024-03-01 10:00:06.0000 10/T1 age/Cor/CoreMain.cpp:1000 ]: Passenger core crashed\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in passenger] == [
        ("INFO", "Starting Passenger watchdog..."), ("ERROR", "Could not spawn process"), ("FATAL", "Passenger core crashed"),
    ]
    assert passenger[0]["timestamp"] == _t(10, 0, 1, 123400)
    ray = _read(tmp_path, "gcs_server.out", (
        "[2024-03-01 10:00:01,123 I 1234 1234] (gcs_server) gcs_server.cc:72: GCS Server started on port 6379\n"
        "[2024-03-01 10:00:10,000 W 1234 1260] (gcs_server) gcs_health_check_manager.cc:108: Health check failed\n"
        "[2024-03-01 10:00:15,000 E 1234 1260] (gcs_server) gcs_node_manager.cc:180: Node 8a3f is dead\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in ray] == [
        ("INFO", "GCS Server started on port 6379"), ("WARN", "Health check failed"), ("ERROR", "Node 8a3f is dead"),
    ]
    assert attrs(ray[0])["logger"] == "gcs_server"


def test_dovecot_levels_after_its_sub_process(tmp_path):
    """Dovecot writes its level after the sub-process and session (``imap-login: Warning:``,
    ``imap(bob)<8806><UPkO3qVMfpDGOqjM>: Error:``): the record's level (probe AK); the body
    keeps the program's text."""
    text = (
        "Mar  1 10:00:01 mx1 dovecot: imap(slopez@initech.co.uk)<8806><UPkO3qVMfpDGOqjM>: Logged out in=1852 out=16541\n"
        "Mar  1 10:00:03 mx1 dovecot: imap-login: Warning: Auth process not responding, delayed sending greeting\n"
        "Mar  1 10:00:04 mx1 dovecot: auth: Error: ldap(bob,10.0.0.1): Connection lost to LDAP server\n"
        "Mar  1 10:00:07 mx1 dovecot: imap(bob)<8807><UPkO3qVMfpDGOqjN>: Error: Mailbox INBOX: quota exceeded\n"
        "Mar  1 10:00:08 mx1 dovecot: master: Fatal: Dovecot is already running with PID 1234\n"
    )
    rows = _read(tmp_path, "mail.log", text)
    assert [r["severity_text"] for r in rows] == [None, "WARN", "ERROR", "ERROR", "FATAL"]
    assert rows[1]["body"] == "imap-login: Warning: Auth process not responding, delayed sending greeting"
    assert {r["service"] for r in rows} == {"dovecot"}


def test_kafka_server_log_logger_at_the_end(tmp_path):
    """Kafka's log4j layout ``[%d] %p %m (%c)%n`` ends each record's first line with its
    logger in parentheses: the logger attribute, not the message's text (probe AK); a stack
    trace below stays joined."""
    text = (
        "[2024-03-01 10:00:02,215] INFO [LocalLog partition=audit-log-3, dir=/var/lib/kafka/data] Rolled new log "
        "segment at offset 23877406 in 36 ms. (kafka.log.LocalLog)\n"
        "[2024-03-01 10:00:04,140] INFO [GroupCoordinator 2]: Stabilized group orders-processor generation 166 "
        "(__consumer_offsets-40) with 5 members (kafka.coordinator.group.GroupCoordinator)\n"
        "[2024-03-01 10:00:05,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)\n"
        "[2024-03-01 10:00:09,001] ERROR [ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Error for partition "
        "orders-3 at offset 100 (kafka.server.ReplicaFetcherThread)\n"
        "org.apache.kafka.common.errors.NotLeaderOrFollowerException: This server is not the leader for that "
        "topic-partition.\n"
        "\tat kafka.server.ReplicaFetcherThread.processPartitionData(ReplicaFetcherThread.scala:123)\n"
    )
    rows = _read(tmp_path, "server.log", text)
    assert [r["n_lines"] for r in rows] == [1, 1, 1, 3]
    assert rows[0]["body"] == (
        "[LocalLog partition=audit-log-3, dir=/var/lib/kafka/data] Rolled new log segment at offset 23877406 in 36 ms."
    )
    assert attrs(rows[1])["logger"] == "kafka.coordinator.group.GroupCoordinator"
    assert rows[1]["body"].endswith("with 5 members")
    assert rows[3]["body"].startswith("[ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Error for partition orders-3 at offset 100\n")
    assert attrs(rows[3])["logger"] == "kafka.server.ReplicaFetcherThread"
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 2, 215000, tzinfo=UTC)


def test_stamp_thread_and_level_in_glued_brackets(tmp_path):
    """A C++ game server's custom layout (spdlog's ``[%Y-%m-%d %H:%M:%S.%e][%t][%l] %v``):
    the stamp, the thread and the level in brackets glued together, then the message (probe
    AM: read as raw lines before, with no time and no level)."""
    text = (
        "[2025-06-24 15:30:04.783][main][INFO] tick stats sessions=1 players=25 avg_tick=11.2ms\n"
        "[2025-06-24 17:44:57.100][net-2][ERROR] matchmaker heartbeat failed: connect to "
        "matchmaker.game.svc.cluster.local:7001 timed out after 2000ms (attempt 1)\n"
        "  backtrace: net::Client::connect\n"
        "[2025-06-24 17:45:01.100][worker-11][WARN] slow tick avg_tick=31.2ms\n"
    )
    rows = _read(tmp_path, "gs-eu-03.log", text)
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN"]
    assert [r["n_lines"] for r in rows] == [1, 2, 1]
    assert rows[1]["timestamp"] == datetime(2025, 6, 24, 17, 44, 57, 100000, tzinfo=UTC)
    assert rows[1]["body"].startswith("matchmaker heartbeat failed: connect to")
    assert attrs(rows[2])["thread"] == "worker-11"


def test_hclog_names_are_loggers(tmp_path):
    """HashiCorp's hclog text (Consul, Vault, Nomad): ``[INFO]  agent.server.raft: msg``: the
    dotted name after the padded level is the logger, out of the message (probe AK); a line
    without a name keeps its text."""
    text = (
        "2024-03-01T10:00:00.790Z [INFO]  agent: Synced service: service=postgres-30f1\n"
        "2024-03-01T10:00:07.216Z [WARN]  agent: Check is now critical: check=service:search-5dbd\n"
        "2024-03-01T10:00:09.001Z [ERROR] agent.server.raft: failed to contact: server-id=abc error=\"i/o timeout\"\n"
        "2024-03-01T10:00:10.001Z [INFO]  Consul agent running!\n"
    )
    rows = _read(tmp_path, "consul.log", text)
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "ERROR", "INFO"]
    assert rows[0]["body"] == "Synced service: service=postgres-30f1"
    assert attrs(rows[2])["logger"] == "agent.server.raft"
    assert rows[2]["body"].startswith("failed to contact: server-id=abc")
    assert rows[3]["body"] == "Consul agent running!"


def test_elixir_logger_console_with_a_time_of_day_and_metadata(tmp_path):
    """Elixir's Logger console with its default ``$time $metadata[$level] $message``: a time
    of day (dated by the file's modification time, as other time-of-day stamps), the
    metadata as ``mdc``, a crash report's indented lines joined (probe AL: raw lines before)."""
    import os

    text = (
        "10:00:00.123 request_id=F74914413b9551d7b3aa [info] GET /api/orders/0\n"
        "10:00:00.137 request_id=F74914413b9551d7b3aa [info] Sent 200 in 14ms\n"
        "10:00:20.500 [error] GenServer Shop.Inventory.Worker terminating\n"
        "** (RuntimeError) inventory backend unavailable\n"
        "    (shop 0.1.0) lib/shop/inventory/worker.ex:42: Shop.Inventory.Worker.handle_info/2\n"
        "10:00:21.000 request_id=F7af94a4b1aa8a70ab70 [warning] Shop.Inventory.Worker restarted (1 of 3)\n"
    )
    path = tmp_path / "phoenix.log"
    path.write_text(text)
    stamp = datetime(2024, 3, 5, 12, 0, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    with pytest.warns(RcakitWarning, match="times of day without a date"):
        rows = read_logs(path).to_dicts()
    assert [r["n_lines"] for r in rows] == [1, 1, 3, 1]
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "ERROR", "WARN"]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 10, 0, 0, 123000, tzinfo=UTC)
    assert rows[0]["body"] == "GET /api/orders/0"
    assert attrs(rows[0])["mdc"] == "request_id=F74914413b9551d7b3aa"


JENKINS = """\
2024-03-05 09:58:00.530+0000 [id=6481]\tINFO\thudson.util.Retrier#start: Performed the action check updates server successfully at the attempt #1
2024-03-05 09:58:03.571+0000 [id=2100]\tINFO\thudson.model.AsyncPeriodicWork#lambda$doRun$1: Finished Fingerprint cleanup. 3634 ms
2024-03-05 09:58:07.226+0000 [id=525]\tWARNING\to.j.p.workflow.job.WorkflowRun#finish: nightly-integration-tests #580 completed: FAILURE
"""


def test_jenkins_class_and_method_before_the_message(tmp_path):
    """Jenkins' own log ('<stamp> [id=<thread>]\\t<LEVEL>\\t<class>#<method>: <msg>'): the
    class and method are the logger, not the message's first words."""
    rows = _read(tmp_path, "jenkins.log", JENKINS)
    assert [r["body"] for r in rows] == [
        "Performed the action check updates server successfully at the attempt #1",
        "Finished Fingerprint cleanup. 3634 ms",
        "nightly-integration-tests #580 completed: FAILURE",
    ]
    assert attrs(rows[1])["logger"] == "hudson.model.AsyncPeriodicWork#lambda$doRun$1"
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "WARN"]
    assert rows[2]["timestamp"] == datetime(2024, 3, 5, 9, 58, 7, 226000, tzinfo=UTC)


def test_mysqls_crash_banner_is_a_fatal_record(tmp_path):
    """Blind probe BL: MySQL 8's crash report starts "<stamp> UTC - mysqld got signal 6 ;"
    after InnoDB's assertion failure: a record without a level, so the server's death
    counted as nothing. The banner is FATAL (the lines under it join it)."""
    (tmp_path / "mysqld.log").write_text(
        "2026-03-05T12:08:31.074339Z 0 [ERROR] [MY-013183] [InnoDB] Assertion failure: fil0fil.cc:7853:err == DB_SUCCESS\n"
        "InnoDB: We intentionally generate a memory trap.\n"
        "2026-03-05T12:08:31Z UTC - mysqld got signal 6 ;\n"
        "Most likely, you have hit a bug, but this error can also be caused by malfunctioning hardware.\n"
        "2026-03-05T13:00:13.515294Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1\n"
    )
    rows = read_logs(tmp_path / "mysqld.log").to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("ERROR", 2), ("FATAL", 2), ("INFO", 1)]
    assert rows[1]["body"].startswith("mysqld got signal 6 ;")


def test_influxdbs_service_key_is_its_subsystem(tmp_path):
    """Blind probe BN: InfluxDB 2 logs zap's logfmt with `service=storage-engine`,
    `service=http`, `service=retention`: its subsystems. Read as the record's service, one
    file became five services and `influxdb` none of them ("http suffered from it")."""
    (tmp_path / "influxd.log").write_text(
        'ts=2024-03-02T17:52:33.302328Z lvl=info msg="Cache snapshot (end)" log_id=0nJfjbbgbhb service=storage-engine '
        "engine=tsm1 op_name=tsm1_cache_snapshot op_event=end op_elapsed=12.094ms\n"
        'ts=2024-03-02T17:52:34.100000Z lvl=warn msg="Partial write" log_id=0nJfjbbgbhb service=http bucket=fleet-telemetry\n'
        'ts=2024-03-02T17:52:35.000000Z lvl=info msg="Retention policy deletion check (start)" log_id=0nJfjbbgbhb service=retention\n'
    )
    rows = read_logs(tmp_path / "influxd.log").to_dicts()
    assert {r["service"] for r in rows} == {"influxd"}
    assert [attrs(r)["logger"] for r in rows] == ["storage-engine", "http", "retention"]
    assert rows[1]["severity_text"] == "WARN"
