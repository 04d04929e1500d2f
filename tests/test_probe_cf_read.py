"""Reading rules found by the thirty-seventh session's blind probe CF (a crypto exchange's
estate): each test fails on the code before its fix."""

from __future__ import annotations

from datetime import UTC, datetime

from tests._reading import attrs, read_lines


def test_log15_terminal_lines_are_read(tmp_path):
    # go-ethereum's terminal format (log15): the level padded to five, a year-less
    # MM-dd|HH:mm:ss.SSS stamp in brackets, the message padded before its key=value pairs;
    # no stamp was found (every record left out of the counts), the bracket was the body's
    frame = read_lines(tmp_path, "geth.log", [
        "INFO [03-05|10:00:01.123] Starting Geth on Ethereum mainnet...",
        "INFO [03-05|10:00:01.125] Maximum peer count                       ETH=50 total=50",
        "WARN [03-05|10:00:31.500] Post-merge network, but no beacon client seen. Please launch one to follow the chain!",
        'ERROR[03-05|10:00:45.001] Failed to journal state snapshot         err="snapshot [0x1234..abcd] missing"',
        'CRIT [03-05|10:01:00.000] Failed to store block body               err="leveldb: closed"',
        "DEBUG[03-05|10:01:02.250] Served eth_blockNumber                   reqid=7 duration=\"41.2µs\"",
    ])
    assert frame["format"].to_list() == ["text"] * 6
    assert frame["timestamp"].to_list() == [
        datetime(2024, 3, 5, 10, 0, 1, 123000, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 0, 1, 125000, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 0, 31, 500000, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 0, 45, 1000, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 1, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 1, 2, 250000, tzinfo=UTC),
    ]
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "WARN", "ERROR", "FATAL", "DEBUG"]
    # the pairs stay in the body (as logrus' terminal lines keep theirs), the padding does not
    assert frame["body"].to_list() == [
        "Starting Geth on Ethereum mainnet...",
        "Maximum peer count ETH=50 total=50",
        "Post-merge network, but no beacon client seen. Please launch one to follow the chain!",
        'Failed to journal state snapshot err="snapshot [0x1234..abcd] missing"',
        'Failed to store block body err="leveldb: closed"',
        'Served eth_blockNumber reqid=7 duration="41.2µs"',
    ]
    assert attrs(frame.row(0, named=True)) == {}


def test_log15_four_letter_levels_and_tendermints_dated_stamp(tmp_path):
    # log15 itself glues four letters to the bracket (EROR, DBUG), and older geth wrote whole
    # seconds; Tendermint's logger writes the level's first letter and a stamp with the year
    older = read_lines(tmp_path, "node.log", [
        "INFO[07-25|10:58:37] Starting peer-to-peer node               instance=Geth/v1.8.13-stable/linux-amd64/go1.10.3",
        "EROR[07-25|10:58:40] Snapshot extension registration failed   peer=45vdf5bh err=\"peer connected on snap\"",
        "DBUG[07-25|10:58:41] Dialing peer                             id=7f3a conn=staticdial",
    ])
    assert older["severity_text"].to_list() == ["INFO", "ERROR", "DEBUG"]
    assert older["timestamp"].dt.second().to_list() == [37, 40, 41]
    assert older["body"][1] == 'Snapshot extension registration failed peer=45vdf5bh err="peer connected on snap"'
    tm = read_lines(tmp_path, "tendermint.log", [
        "I[2019-02-04|14:38:48.380] Executed block                               module=state height=1 validTxs=0",
        "E[2019-02-04|14:38:49.002] dial tcp 10.0.0.7:26656: connect: connection refused module=p2p addr=7f3a@10.0.0.7:26656",
    ])
    assert tm["timestamp"].to_list() == [
        datetime(2019, 2, 4, 14, 38, 48, 380000, tzinfo=UTC), datetime(2019, 2, 4, 14, 38, 49, 2000, tzinfo=UTC)
    ]
    assert tm["severity_text"].to_list() == ["INFO", "ERROR"]
    assert tm["body"].to_list() == [
        "Executed block module=state height=1 validTxs=0",
        "dial tcp 10.0.0.7:26656: connect: connection refused module=p2p addr=7f3a@10.0.0.7:26656",
    ]


def test_a_products_default_file_name_is_named_by_its_deployments_folder_not_a_hosts():
    # Laravel's daily channel writes laravel-YYYY-MM-DD.log in every app, PostgreSQL its
    # postgresql-<stamp>.log (an RDS export postgresql.log.<date>-<hour>): the folder a team
    # keeps them in names the deployment; both were named by the product
    from rcakit.ingest._service import file_services

    def names(*paths: str) -> dict[str, str | None]:
        return file_services(["incident/orders/app.log", *paths])

    assert names("incident/fiat-onramp/laravel-2026-08-04.log")["incident/fiat-onramp/laravel-2026-08-04.log"] == "fiat-onramp"
    rds = names("incident/ledger-db/postgresql.log.2026-10-06-00", "incident/ledger-db/postgresql.log.2026-10-06-01")
    assert rds["incident/ledger-db/postgresql.log.2026-10-06-00"] == "ledger-db"
    assert rds["incident/ledger-db/postgresql.log.2026-10-06-01"] == "ledger-db"
    pg = "incident/postgres-bets/postgresql-2025-01-14_000000.log"
    assert names(pg)[pg] == "postgres-bets"
    assert names("incident/mq-cache/redis-server.log")["incident/mq-cache/redis-server.log"] == "mq-cache"
    assert names("incident/redis/redis-server.log")["incident/redis/redis-server.log"] == "redis"
    # a deployment's folder above a logs folder, and a node of it
    assert names("incident/kyc-web/logs/laravel.log")["incident/kyc-web/logs/laravel.log"] == "kyc-web"
    assert names("incident/ledger-db/db01/mysqld.log")["incident/ledger-db/db01/mysqld.log"] == "ledger-db"
    # in a host's folder, a node's or a date's the product's name stays
    hosts = [
        "incident/node-ip-10-20-3-41/postgresql.log", "incident/ip-10-0-1-5/logs/mongod.log",
        "incident/db01/mysqld.log", "incident/pg-3.prod.example.com/postgresql-Mon.log",
        "incident/2026-10-06/laravel.log",
    ]
    assert [file_services(["incident/orders/app.log", p])[p] for p in hosts] == [
        "postgresql", "mongod", "mysqld", "postgresql", "laravel"
    ]
    # a folder holding other services' files groups them; the common folder names nothing;
    # a file name that is no product's default keeps its own name (kannel/bearerbox.log)
    shared = file_services(["incident/db/postgresql.log", "incident/db/pgbouncer.log", "incident/orders/app.log"])
    assert shared["incident/db/postgresql.log"] == "postgresql"
    assert file_services(["incident/laravel.log", "incident/orders/app.log"])["incident/laravel.log"] == "laravel"
    assert file_services(["incident/kannel/bearerbox.log", "incident/orders/app.log"])["incident/kannel/bearerbox.log"] == "bearerbox"
    clickhouse = file_services(["incident/clickhouse/clickhouse-server.log", "incident/orders/app.log"])
    assert clickhouse["incident/clickhouse/clickhouse-server.log"] == "clickhouse-server"
