"""Reading rules found by the thirty-eighth session's blind probe CI (a plant's logs in their
products' default layouts): each test fails on the code before its fix."""

from __future__ import annotations

from datetime import UTC, datetime

from tests._reading import attrs, read_lines


def test_ignitions_head_inside_the_java_service_wrapper_is_head(tmp_path):
    # Ignition's gateway log through the Tanuki wrapper: the wrapper's head (level, source,
    # stamp), then Ignition's (level letter, padded logger, time of day, colon). Its level
    # letter was read but its head stayed in every body (every template began with it) and
    # the logger was not taken out; the wrapper's own lines stay records
    frame = read_lines(tmp_path, "wrapper.log", [
        "STATUS | wrapper  | 2024/03/05 06:00:00 | --> Wrapper Started as Daemon",
        "STATUS | wrapper  | 2024/03/05 06:00:01 | Launching a JVM...",
        "INFO   | jvm 1    | 2024/03/05 06:00:20 | I [alarming.AlarmManager         ] [06:00:20]: Alarm CLEARED [default]Line1/Press04/Overtemp",
        "INFO   | jvm 1    | 2024/03/05 06:01:53 | W [Perspective.SessionMonitor    ] [06:01:53]: Session 1f2e3d4c timed out",
        "INFO   | jvm 1    | 2024/03/05 06:02:10 | E [OpcUaConnection               ] [06:02:10]: Connection to plc-04 failed",
        "INFO   | jvm 1    | 2024/03/05 06:02:11 | D [DatabaseConnections           ] [06:02:11]: ",
    ])
    assert frame["format"].to_list() == ["text"] * 6
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"]
    assert frame["body"].to_list() == [
        "--> Wrapper Started as Daemon",
        "Launching a JVM...",
        "Alarm CLEARED [default]Line1/Press04/Overtemp",
        "Session 1f2e3d4c timed out",
        "Connection to plc-04 failed",
        "",
    ]
    rows = frame.to_dicts()
    assert attrs(rows[0]) == {"thread": "wrapper"}
    assert attrs(rows[2]) == {"logger": "alarming.AlarmManager", "thread": "jvm 1"}
    assert attrs(rows[4])["logger"] == "OpcUaConnection"
    assert frame["timestamp"][3] == datetime(2024, 3, 5, 6, 1, 53, tzinfo=UTC)


def test_a_stack_trace_the_wrapper_wrapped_joins_its_record(tmp_path):
    # the wrapper prefixes every line the JVM prints: a stack trace's lines (the exception,
    # its frames, "Caused by:", a Jython traceback) were records of their own at INFO; they
    # join the error above them, without the wrapper's heads. A plain System.out line is a
    # record of its own, at the wrapper's level
    frame = read_lines(tmp_path, "wrapper.log", [
        "INFO   | jvm 1    | 2024/03/05 06:02:10 | E [MQTTEngine.ServerManager      ] [06:02:10]: Failed to connect to server",
        "INFO   | jvm 1    | 2024/03/05 06:02:10 | org.eclipse.paho.client.mqttv3.MqttException: MqttException",
        "INFO   | jvm 1    | 2024/03/05 06:02:10 | \tat org.eclipse.paho.client.mqttv3.internal.ExceptionHelper.createMqttException(ExceptionHelper.java:38)",
        "INFO   | jvm 1    | 2024/03/05 06:02:10 | Caused by: javax.net.ssl.SSLHandshakeException: PKIX path validation failed",
        "INFO   | jvm 1    | 2024/03/05 06:02:10 | \t... 4 common frames omitted",
        "INFO   | jvm 1    | 2024/03/05 06:02:12 | E [gateway.script.mes            ] [06:02:12]: mes.orders.confirm failed",
        "INFO   | jvm 1    | 2024/03/05 06:02:12 | com.inductiveautomation.ignition.common.script.JythonExecException: Traceback (most recent call last):",
        'INFO   | jvm 1    | 2024/03/05 06:02:12 |   File "<module:mes.orders>", line 42, in confirm',
        "INFO   | jvm 1    | 2024/03/05 06:02:12 | IOError: HTTP 500 Internal Server Error",
        "INFO   | jvm 1    | 2024/03/05 06:02:12 | ",
        "INFO   | jvm 1    | 2024/03/05 06:02:30 | Loading module configuration from data/modules",
        "INFO   | jvm 1    | 2024/03/05 06:02:31 | I [gateway.SchedulingManager     ] [06:02:31]: Timer script finished in 97 ms",
    ])
    assert frame["n_lines"].to_list() == [5, 5, 1, 1]
    assert frame["severity_text"].to_list() == ["ERROR", "ERROR", "INFO", "INFO"]
    assert frame["body"][0] == (
        "Failed to connect to server\n"
        "org.eclipse.paho.client.mqttv3.MqttException: MqttException\n"
        "\tat org.eclipse.paho.client.mqttv3.internal.ExceptionHelper.createMqttException(ExceptionHelper.java:38)\n"
        "Caused by: javax.net.ssl.SSLHandshakeException: PKIX path validation failed\n"
        "\t... 4 common frames omitted"
    )
    assert frame["body"][1].splitlines()[-1] == "IOError: HTTP 500 Internal Server Error"
    assert "|" not in frame["body"][1]
    assert frame["body"][2] == "Loading module configuration from data/modules"
    assert attrs(frame.row(2, named=True)) == {"thread": "jvm 1"}


def test_another_apps_layout_inside_the_java_service_wrapper_is_read(tmp_path):
    # a JVM application that is not Ignition prints its own layout after the wrapper's head
    # (log4j's "%d %p [%t] %c - %m"): its level wins over the wrapper's INFO and its logger
    # goes out of the message, the wrapper's stamp stays the time
    frame = read_lines(tmp_path, "wrapper.log", [
        "STATUS | wrapper  | 2024/03/05 06:00:00 | --> Wrapper Started as Service",
        "INFO   | jvm 1    | 2024/03/05 06:00:05 | 2024-03-05 06:00:05,120 INFO  [main] com.acme.mes.Server - Started on port 8080",
        "INFO   | jvm 1    | 2024/03/05 06:00:09 | 2024-03-05 06:00:09,004 ERROR [pool-2-thread-1] com.acme.mes.OrderSync - Sync failed",
        "INFO   | jvm 1    | 2024/03/05 06:00:09 | java.net.SocketTimeoutException: Read timed out",
        "INFO   | jvm 1    | 2024/03/05 06:00:09 | \tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:183)",
    ])
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "ERROR"]
    assert frame["body"][1] == "Started on port 8080"
    assert frame["body"][2].splitlines() == [
        "Sync failed",
        "java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:183)",
    ]
    assert attrs(frame.row(2, named=True))["logger"] == "com.acme.mes.OrderSync"
    assert frame["timestamp"][2] == datetime(2024, 3, 5, 6, 0, 9, tzinfo=UTC)


def test_the_java_service_wrappers_log_in_a_products_folder_is_the_products():
    # wrapper.log is the wrapper's default file name, whatever Java service it runs:
    # ignition/wrapper.log was service "wrapper", beside the plant's other services
    from rcakit.ingest._service import file_services

    path = "logs/ignition/wrapper.log"
    assert file_services(["logs/mes-edge/mes-edge.log", path])[path] == "ignition"
    # (in a host's folder, the product's name stays)
    host = "logs/gw01/wrapper.log"
    assert file_services(["logs/mes-edge/mes-edge.log", host])[host] == "wrapper"
