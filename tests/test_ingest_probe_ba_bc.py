"""Reading findings of probes BA and BC: service names from deployment folders and Airflow's
task-log layout, levels after bracketed process and thread numbers (Kannel), Redis' level
symbols, and a Rust panic's untimed lines inside a tracing log."""

from __future__ import annotations

from rcakit.ingest import read_logs
from rcakit.ingest._service import file_services, service_from_path


def test_a_folder_whose_words_end_with_the_file_name_or_spell_it_longer_names_it():
    # a deployment's folder names the service more exactly than the program's own file name:
    # the folder's words end with the file's (a portal, a consumer, Airflow's scheduler) or,
    # run together, one name starts with the other (PostgreSQL's postgresql-%a.log in postgres/);
    # the same letters spelled apart are the same name, the file's (probe AN: head-end/headend.log
    # stays headend, as its Kubernetes pods and its change list call it)
    paths = ["x/selfcare-portal/portal.log", "x/cdr-consumer/consumer.log", "x/airflow-scheduler/scheduler.log",
             "x/postgres/postgresql-Mon.log", "x/postgres/postgresql-Tue.log", "x/claims-export/ClaimsExport-20261102.log"]
    assert file_services(paths) == dict(zip(paths, [
        "selfcare-portal", "cdr-consumer", "airflow-scheduler", "postgres", "postgres", "ClaimsExport"], strict=True))
    # a folder sharing no word names something else (a host, a product holding two daemons);
    # a file name more specific by a word keeps its own; a short name is no prefix evidence;
    # a folder of several names names none
    paths = ["x/kannel/bearerbox.log", "x/kannel/smsbox.log", "x/clickhouse/clickhouse-server.log",
             "x/api/apigw.log", "x/web-portal/portal.log", "x/web-portal/admin.log", "x/portal.log", "x/head-end/headend.log"]
    assert file_services(paths) == dict(zip(paths, [
        "bearerbox", "smsbox", "clickhouse-server", "apigw", "portal", "admin", "portal", "headend"], strict=True))


def test_key_value_path_components_name_no_service_and_airflow_task_logs_are_their_dags():
    base = "/opt/airflow/logs/dag_id=tenant_rollups/run_id=scheduled__2026-11-16T00:00:00+00:00"
    paths = [f"{base}/task_id=build_rollups/attempt=1.log", f"{base}/task_id=wait_for_partner_feed/attempt=2.log",
             "/opt/airflow/logs/dag_id=billing/run_id=manual__1/task_id=load/attempt=1.log"]
    assert file_services(paths) == dict(zip(paths, ["tenant_rollups", "tenant_rollups", "billing"], strict=True))
    assert service_from_path(paths[0]) == "tenant_rollups"
    # flattened into one file name, as a collector may copy it out
    assert service_from_path("out/airflow__dag_id=etl_orders__run_id=manual__2024__task_id=load__attempt=1.log") == (
        "etl_orders")
    # a Hive-style partition folder is skipped for the folder above it
    assert service_from_path("export/events/dt=2024-03-01/hour=03/0.log") == "events"


def test_a_level_after_bracketed_process_and_thread_numbers(tmp_path):
    # Kannel's bearerbox and smsbox: "<stamp> [<pid>] [<thread>] LEVEL: msg"; the body keeps
    # the line's text, as for rsyncd's "[4321] rsync error: msg"
    lines = [
        "2026-11-16 07:55:01 [2210] [6] DEBUG: SMPP[partner-smsc]: Sent submit_sm to +353896076259",
        "2026-11-16 07:55:02 [2210] [0] INFO: Started access logfile `/var/log/kannel/access.log'.",
        "2026-11-16 07:55:03 [2210] [6] WARNING: SMPP[partner-smsc]: Not ACKED message found, will retransmit.",
        "2026-11-16 07:55:04 [2210] [6] ERROR: SMPP[partner-smsc]: I/O error or other error. Re-connecting.",
        "2026-11-16 07:55:05 [2211] [3] PANIC: Could not open log file",
    ]
    path = tmp_path / "bearerbox.log"
    path.write_text("\n".join(lines) + "\n")
    frame = read_logs(path)
    assert frame["severity_text"].to_list() == ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
    assert frame["body"].to_list() == [line[20:] for line in lines]
