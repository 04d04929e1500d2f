"""read_changes: CSV / JSON / NDJSON / GitHub Deployments, aliases, ids, time zones, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from rcakit import InputError, read_changes
from rcakit.errors import ConfigError, RcakitWarning
from rcakit.schemas import CHANGES, check_schema


def test_csv_with_canonical_columns(tmp_path):
    p = tmp_path / "deploys.csv"
    p.write_text(
        "time,service,version,id,kind,description\n"
        "2024-05-01T14:03:00Z,payment,v2.3.1,chg-1,deploy,risk scorer refactor\n"
        "2024-05-01T13:40:00Z,inventory,v7.1.0,chg-0,config,pool size 20->40\n"
    )
    df = read_changes(p)
    check_schema(df, CHANGES, stage="test")
    assert df["id"].to_list() == ["chg-0", "chg-1"]  # sorted by time
    assert df.row(1, named=True) == {
        "time": datetime(2024, 5, 1, 14, 3, tzinfo=UTC),
        "service": "payment",
        "version": "v2.3.1",
        "id": "chg-1",
        "kind": "deploy",
        "description": "risk scorer refactor",
    }


def test_csv_aliases_naive_times_and_tz(tmp_path):
    p = tmp_path / "changes.csv"
    p.write_text(
        "Deployed_At;App;Release;Type;Summary\n"
        "2024-05-01 16:03:00;payment;v2.3.1;Deployment;x\n"
        "2024-05-01 16:10:00;checkout;;Feature Flag;enable new cart\n"
    )
    df = read_changes(p, tz="Europe/Berlin")  # UTC+2 in May
    assert df["time"].to_list() == [
        datetime(2024, 5, 1, 14, 3, tzinfo=UTC),
        datetime(2024, 5, 1, 14, 10, tzinfo=UTC),
    ]
    assert df["kind"].to_list() == ["deploy", "feature_flag"]
    assert df["version"].to_list() == ["v2.3.1", None]
    assert df["description"].to_list() == ["x", "enable new cart"]


def test_an_itsm_export_of_change_requests(tmp_path):
    """ServiceNow's list export: the change request's number, its configuration item (the
    service), type, short description, and planned and actual start (the actual one wins)."""
    p = tmp_path / "change_request.csv"
    p.write_text(
        "Number,Planned start date,Actual start,Configuration item,Type,Short description,State\n"
        "CHG0031201,2026-11-05 09:00:00,2026-11-05 09:14:47,card-auth,Normal,release 2.13.0,Closed\n"
        "CHG0031202,2026-11-05 10:00:00,,Payments-Service,Standard,raise pool size,Closed\n"
    )
    df = read_changes(p)
    assert df["id"].to_list() == ["CHG0031201", "CHG0031202"]
    assert df["time"].to_list() == [datetime(2026, 11, 5, 9, 14, 47, tzinfo=UTC), datetime(2026, 11, 5, 10, 0, tzinfo=UTC)]
    assert df["service"].to_list() == ["card-auth", "Payments-Service"]
    assert df["description"].to_list() == ["release 2.13.0", "raise pool size"]


def test_generated_ids_are_stable_and_unique(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("when,service\n2024-05-01 10:00:00,a\n2024-05-01 10:00:00,a\n2024-05-01 11:00:00,b\n")
    first = read_changes(p)["id"].to_list()
    assert first == read_changes(p)["id"].to_list()
    assert len(set(first)) == 3
    assert all(i.startswith("chg-") for i in first)
    assert first[1] == first[0] + "-2"


def test_json_ndjson_and_epoch(tmp_path):
    j = tmp_path / "c.json"
    j.write_text(json.dumps({"changes": [
        {"timestamp": 1714572180, "service": "payment", "version": "v2", "kind": "infra"},
    ]}))
    n = tmp_path / "c.ndjson"
    n.write_text(
        '{"ts": "2024-05-01T14:03:00+02:00", "component": "db", "change_type": "configuration"}\n'
        "\n"
        '{"ts": 1714572180000, "component": "db"}\n'
    )
    df = read_changes([j, n])
    assert df.height == 3
    assert set(df["kind"]) == {"infra", "config", "deploy"}
    assert datetime(2024, 5, 1, 12, 3, tzinfo=UTC) in df["time"].to_list()
    assert df.filter(pl.col("service") == "payment")["time"].item() == datetime(
        2024, 5, 1, 14, 3, tzinfo=UTC
    )


def test_github_deployments_api(tmp_path):
    p = tmp_path / "deployments.json"
    p.write_text(json.dumps([
        {
            "url": "https://api.github.com/repos/acme/payment/deployments/1",
            "id": 42, "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d", "ref": "v2.3.1",
            "task": "deploy", "payload": {}, "environment": "production",
            "description": "Deploy request from hubot", "creator": {"login": "octocat"},
            "created_at": "2024-05-01T14:03:00Z", "updated_at": "2024-05-01T14:03:00Z",
            "statuses_url": "https://api.github.com/repos/acme/payment/deployments/1/statuses",
            "repository_url": "https://api.github.com/repos/acme/payment",
        },
        {
            "id": 43, "sha": "0123456789abcdef0123", "ref": "0123456789abcdef0123",
            "task": "deploy:migrations", "payload": {"service": "ledger"},
            "environment": "production", "created_at": "2024-05-01T14:30:00Z",
            "repository_url": "https://api.github.com/repos/acme/monorepo",
        },
    ]))
    df = read_changes(p)
    assert df.select("service", "version", "id", "kind").rows() == [
        ("payment", "v2.3.1", "gh-deploy-42", "deploy"),
        ("ledger", "0123456789ab", "gh-deploy-43", "deploy"),
    ]
    assert "octocat" in df["description"][0]


def test_empty_file_gives_empty_frame(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("time,service,version\n")
    df = read_changes(p)
    assert df.height == 0
    check_schema(df, CHANGES, stage="test")


def test_bad_time_names_file_and_line(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("time,service\n2024-05-01 10:00:00,a\nyesterday-ish,b\n")
    with pytest.raises(InputError, match=r"d\.csv:3: cannot read the time 'yesterday-ish'"):
        read_changes(p)


def test_missing_time_column_lists_aliases(tmp_path):
    p = tmp_path / "d.ndjson"
    p.write_text('{"service": "a"}\n')
    with pytest.raises(InputError, match=r"d\.ndjson:1: no time column; expected one of time"):
        read_changes(p)


def test_bad_json_line(tmp_path):
    p = tmp_path / "d.ndjson"
    p.write_text('{"time": "2024-05-01T10:00:00Z"}\n{oops\n')
    with pytest.raises(InputError, match=r"d\.ndjson:2: not a JSON object"):
        read_changes(p)


def test_missing_file_and_bad_tz(tmp_path):
    with pytest.raises(InputError, match="change file not found"):
        read_changes(tmp_path / "nope.csv")
    p = tmp_path / "d.csv"
    p.write_text("time\n2024-05-01 10:00:00\n")
    with pytest.raises(ConfigError, match="unknown time zone"):
        read_changes(p, tz="Mars/Olympus")


def _scaling(name: str, when: str, message: str, uid: str, kind: str = "Deployment") -> dict:
    return {
        "kind": "Event",
        "metadata": {"name": f"{name}.{uid}", "namespace": "shop", "uid": uid},
        "involvedObject": {"kind": kind, "namespace": "shop", "name": name},
        "reason": "ScalingReplicaSet",
        "message": message,
        "firstTimestamp": when,
        "lastTimestamp": when,
        "type": "Normal",
    }


def test_kubernetes_events_give_rollouts(tmp_path):
    """``kubectl get events -o json``: a new replica set scaled up while the old one is
    scaled down is a rollout; scaling one replica set (an autoscaler) and pod events are not."""
    items = [
        # the old replica set scaled up by an autoscaler before the rollout: not a change
        _scaling("payment", "2024-01-02T03:00:00Z", "Scaled up replica set payment-6b7c9d8f5 to 4", "u1"),
        _scaling("payment", "2024-01-02T03:10:00Z", "Scaled up replica set payment-7d9f8b6c5 to 1", "u2"),
        _scaling("payment", "2024-01-02T03:10:05Z", "Scaled down replica set payment-6b7c9d8f5 to 3 from 4", "u3"),
        _scaling("payment", "2024-01-02T03:10:20Z", "Scaled up replica set payment-7d9f8b6c5 to 2 from 1", "u4"),
        # a list that starts with the rollout: the first replica set seen is the new one
        _scaling("cart", "2024-01-02T03:20:00Z", "Scaled up replica set cart-5f6d7c8b9 to 1", "u5"),
        _scaling("cart", "2024-01-02T03:20:09Z", "Scaled down replica set cart-4c5b6d7f8 to 1 from 2", "u6"),
        # one replica set only: scaling, not a rollout
        _scaling("search", "2024-01-02T03:30:00Z", "Scaled up replica set search-8f9d7c6b5 to 6", "u7"),
        {
            "kind": "Event", "metadata": {"uid": "u8"}, "reason": "BackOff", "type": "Warning",
            "involvedObject": {"kind": "Pod", "name": "payment-7d9f8b6c5-x2x4z"},
            "message": "Back-off restarting failed container", "lastTimestamp": "2024-01-02T03:12:00Z",
        },
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items[::-1]}))
    out = read_changes(path)
    check_schema(out, CHANGES, stage="test")
    assert out.select("service", "version", "id", "kind").rows() == [
        ("payment", "7d9f8b6c5", "k8s-u2", "deploy"),
        ("cart", "5f6d7c8b9", "k8s-u5", "deploy"),
    ]
    assert out["time"].to_list() == [datetime(2024, 1, 2, 3, 10, tzinfo=UTC), datetime(2024, 1, 2, 3, 20, tzinfo=UTC)]
    assert out["description"][0].startswith("rollout of deployment shop/payment: Scaled up replica set")


def test_kubernetes_rollout_is_named_as_the_cause(sample_logs, tmp_path):
    """The sample incident's bad deploy given as Kubernetes events instead of deploys.csv."""
    from click.testing import CliRunner

    from rcakit.cli import main

    logs = sample_logs / "checkout-incident"
    if not (logs / "payment.log").is_file():
        pytest.skip("sample_logs/checkout-incident is not in this checkout")
    items = [
        _scaling("payment", "2025-03-04T09:00:00Z", "Scaled up replica set payment-5c6d7f8b9 to 3", "a1"),
        _scaling("payment", "2025-03-04T11:10:41Z", "Scaled up replica set payment-7d9f8b6c5 to 1", "a2"),
        _scaling("payment", "2025-03-04T11:10:50Z", "Scaled down replica set payment-5c6d7f8b9 to 2 from 3", "a3"),
    ]
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"items": items}))
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["report", str(logs), "--deploys", str(events), "-o", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["incidents"][0]["cause"] == "k8s-a2"


def test_change_lists_are_found_in_a_folder_by_their_usual_names(tmp_path):
    from rcakit.changes import find_change_files

    for name in ("releases.csv", "deploy-events.json", "app.log"):
        (tmp_path / name).write_text("time,service\n2024-03-01T10:00:00Z,api\n")
    assert sorted(p.name for p in find_change_files([tmp_path])) == ["deploy-events.json", "releases.csv"]


def test_a_change_list_with_another_name_is_found_by_its_header(tmp_path):
    from rcakit.changes import find_change_files

    (tmp_path / "deploy_history_march.csv").write_text("Deployed At;Application;Release\n2024-03-01 10:00;api;v2\n")
    # log exports in CSV are not change lists: no version, id or kind column
    (tmp_path / "kibana.csv").write_text("@timestamp,service,level,message\n2024-03-01T10:00:00Z,api,ERROR,boom\n")
    (tmp_path / "datadog.csv").write_text("date,host,service,status,message\n2024-03-01T10:00:00Z,h,api,error,boom\n")
    (tmp_path / "structured.csv").write_text("LineId,Timestamp,Component,Type,Level,Content\n1,1117838570,RAS,KERNEL,INFO,ok\n")
    (tmp_path / "ecs.csv").write_text("@timestamp,service.name,event.type,message\n2024-03-01T10:00:00Z,api,access,GET /\n")
    assert [p.name for p in find_change_files([tmp_path])] == ["deploy_history_march.csv"]
    # a file with a usual name wins
    (tmp_path / "deploys.csv").write_text("time,service,version\n2024-03-01T10:00:00Z,api,v3\n")
    assert [p.name for p in find_change_files([tmp_path])] == ["deploys.csv"]


def test_single_quotes_in_descriptions_are_no_quote_character(tmp_path):
    """Descriptions that quote a name in single quotes (``Fastly service 'news-www' VCL
    version activated``) beside a double-quoted field with a comma: standard CSV quoting,
    not a sniffed ``'`` (probe AW: "changes.csv:3: 8 fields but the header has 7" on a
    valid file, the report aborted)."""
    path = tmp_path / "changes.csv"
    path.write_text(
        "time,service,version,id,kind,description,actor\n"
        "2026-11-06T06:07:00Z,wordpress,4.8.7,CHG-88823,deploy,wp plugin update co-authors-plus,wp-cli (deploy@wp-admin-01)\n"
        '2026-11-06T06:40:48Z,ssr-renderer,v3.36.0,CHG-66505,deploy,"Deploy ssr-renderer (GitHub Actions run #5812, fix byline markup)",github-actions[bot]\n'
        "2026-11-06T07:33:48Z,fastly,v327,CHG-26318,config,Fastly service 'news-www' VCL version activated: vary on Cookie,mkowalski\n"
        "2026-11-06T08:10:00Z,fastly,v328,CHG-26319,config,Fastly service 'news-www' VCL version activated: lower TTL,mkowalski\n"
    )
    changes = read_changes(path)
    assert changes["id"].to_list() == ["CHG-88823", "CHG-66505", "CHG-26318", "CHG-26319"]
    assert changes["description"][1] == "Deploy ssr-renderer (GitHub Actions run #5812, fix byline markup)"
    assert changes["description"][2] == "Fastly service 'news-www' VCL version activated: vary on Cookie"


def test_a_jira_service_management_export(tmp_path):
    """Jira's CSV export of change issues: ``Issue key`` is the id the engineer looks up,
    ``Affected services`` the service, dates as Jira writes them (probe BA: the id became a
    hash and the service was missing)."""
    p = tmp_path / "jira.csv"
    p.write_text(
        "Issue key,Issue id,Summary,Change type,Affected services,Planned start,Actual start,Status\n"
        "CHG-3607,10412,SubsDB: enable log_min_duration_statement=0,Normal,SubsDB PostgreSQL,21/Nov/26 7:50 AM,21/Nov/26 8:00 AM,Completed\n"
        "CHG-3602,10407,Renew portal CDN purge token,Standard,Selfcare Portal,21/Nov/26 9:14 AM,21/Nov/26 1:19 PM,Completed\n"
    )
    df = read_changes(p)
    assert df["id"].to_list() == ["CHG-3607", "CHG-3602"]
    assert df["service"].to_list() == ["SubsDB PostgreSQL", "Selfcare Portal"]
    assert df["time"].to_list() == [datetime(2026, 11, 21, 8, 0, tzinfo=UTC), datetime(2026, 11, 21, 13, 19, tzinfo=UTC)]
    assert df["description"].to_list() == ["SubsDB: enable log_min_duration_statement=0", "Renew portal CDN purge token"]


def test_gitlab_deployments_api(tmp_path):
    """GitLab's ``GET /projects/:id/deployments``: the environment is an object; its name less
    the tier folder is the service (``production/grading-api``), the deployed commit's title
    describes it (before, the environment object's repr was the description and no service)."""
    dep = {
        "id": 45250, "iid": 369, "ref": "v1.24.3", "sha": "eab997f37b78d8e46b64dbb596c233de87011f3e",
        "created_at": "2026-03-23T09:54:49.759Z", "updated_at": "2026-03-23T09:57:44.408Z", "status": "success",
        "user": {"id": 206, "username": "deploy-bot"},
        "environment": {"id": 13, "name": "production/grading-api", "slug": "production-grading-api-c82fac", "tier": "production"},
        "deployable": {"id": 2272426, "status": "success", "commit": {"title": "Merge branch 'rubric-weights' into 'main'"}},
    }
    single = {**dep, "id": 45251, "ref": "main", "status": "failed", "environment": {"id": 2, "name": "production"}}
    p = tmp_path / "gitlab_deployments.json"
    p.write_text(json.dumps([dep, single]))
    df = read_changes(p)
    first = df.row(0, named=True)
    assert first["service"] == "grading-api"
    assert first["id"] == "45250"
    # (dated when it finished, its last update as a finished deployment: blind probes BK and
    # BL found "created_at", the job's queueing, 1-3 min before the rollout landed)
    assert first["time"] == datetime(2026, 3, 23, 9, 57, 44, 408000, tzinfo=UTC)
    assert first["version"] == "v1.24.3"
    assert first["kind"] == "deploy"
    assert first["description"].startswith("Merge branch 'rubric-weights'")
    assert "by deploy-bot" in first["description"]
    assert "{" not in first["description"]
    second = df.row(1, named=True)
    assert second["service"] is None
    assert "status failed" in second["description"]


def test_launchdarkly_audit_log_and_terraform_cloud_runs(tmp_path):
    """LaunchDarkly's audit log (``/api/v2/auditlog``) gives a flag change with its key quoted
    (as the application logs it) and no service (before, its ``target`` object's JSON was the
    service); Terraform Cloud's runs (JSON:API) give one infra change per applied run, of its
    workspace (from ``included``), dated when applied; a plan never applied is no change."""
    ld = {"items": [{
        "_id": "9705534e65b74e9d582fdf47", "date": 1769685357139, "kind": "flag", "name": "Home banner: lunch promo",
        "description": "- Turned on the flag", "titleVerb": "turned on the flag", "comment": "lunch promo",
        "accesses": [{"action": "updateOn", "resource": "proj/marketplace:env/production:flag/home-banner-lunch-promo"}],
        "target": {"name": "Home banner: lunch promo", "resources": ["proj/marketplace:env/production:flag/home-banner-lunch-promo"]},
    }], "totalCount": 1}
    p = tmp_path / "launchdarkly.json"
    p.write_text(json.dumps(ld))
    row = read_changes(p).row(0, named=True)
    assert row["service"] is None
    assert row["kind"] == "feature_flag"
    assert row["id"] == "9705534e65b74e9d582fdf47"
    assert row["description"] == "Turned on flag `home-banner-lunch-promo` (Home banner: lunch promo) in production: lunch promo"
    assert row["time"] == datetime(2026, 1, 29, 11, 15, 57, 139000, tzinfo=UTC)

    def run(rid, ws, message, **stamps):
        return {"id": rid, "type": "runs", "attributes": {
            "created-at": "2026-01-29T10:03:48.624+00:00", "message": message, "status": "applied" if stamps else "discarded",
            "is-destroy": False, "status-timestamps": {"plan-queued-at": "2026-01-29T10:03:48Z", **stamps}},
            "relationships": {"workspace": {"data": {"id": ws, "type": "workspaces"}}}}

    tfc = {
        "data": [
            run("run-S9oQ", "ws-1", "Add CNAME status.rideco.app", **{"applying-at": "2026-01-29T10:05:18Z", "applied-at": "2026-01-29T10:05:28Z"}),
            run("run-X1", "ws-2", "Tighten egress rules"),
        ],
        "included": [
            {"id": "ws-1", "type": "workspaces", "attributes": {"name": "prod-dns-public"}},
            {"id": "ws-2", "type": "workspaces", "attributes": {"name": "prod-network"}},
        ],
    }
    p = tmp_path / "tfc-runs.json"
    p.write_text(json.dumps(tfc))
    df = read_changes(p)
    assert df.height == 1, df
    assert df.row(0, named=True) == {
        "time": datetime(2026, 1, 29, 10, 5, 28, tzinfo=UTC), "service": "prod-dns-public", "version": None,
        "id": "run-S9oQ", "kind": "infra", "description": "Add CNAME status.rideco.app",
    }


def test_an_ansible_awx_jobs_export(tmp_path):
    """AWX / Ansible Tower's jobs list: a "Playbook Run" is configuration management unless
    its description says otherwise (before, its kind was the unknown ``playbook_run``)."""
    p = tmp_path / "awx_jobs.csv"
    p.write_text(
        "ID,Name,Type,Status,Start Time,Finish Time,Launched By,Inventory,Limit,Description,Extra Variables\n"
        '7823,LMS - php-fpm pool settings,Playbook Run,Successful,2026-03-23 10:38:07,2026-03-23 10:40:31,ops,prod,lms-web*,'
        '"Apply php-fpm pool tuning from group_vars","{""php_fpm_pm_max_children"": 6}"\n'
        "7849,Node exporter,Playbook Run,Successful,2026-03-23 09:26:45,2026-03-23 09:28:00,ops,prod,all,Roll out node_exporter 1.7.0,{}\n"
        "7850,Facts,Playbook Run,Successful,2026-03-23 09:30:45,2026-03-23 09:31:00,ops,prod,all,Gather facts,{}\n"
    )
    df = read_changes(p)
    assert df["kind"].to_list() == ["deploy", "config", "config"]
    assert df["id"].to_list() == ["7849", "7850", "7823"]


def _unleash_event(eid, etype, when, flag=None, env=None, by="alice", data=None, pre=None):
    return {
        "id": eid, "type": etype, "createdBy": by, "createdByUserId": 7, "createdAt": when, "featureName": flag,
        "project": "checkout", "environment": env, "data": data, "preData": pre, "tags": [],
    }


def test_unleash_admin_events(tmp_path):
    """Unleash's event log (``GET /api/admin/events``: ``{"version": 1, "events": [...]}`` or a
    bare list) read as LaunchDarkly's audit log is: a flag's event is a ``feature_flag`` change
    with no service (the project is no service), its key quoted in the description with the
    event type, environment and user, the event id as its id, dated ``createdAt``; a strategy
    event gives its rollout; a favourite is no change (probe: "item 0: no time column")."""
    strategy = {"id": "s1", "name": "flexibleRollout", "parameters": {"rollout": "50", "stickiness": "default"}}
    events = [
        _unleash_event(5103, "feature-environment-enabled", "2026-02-10T09:41:12.345Z", "substitution-v2", "production"),
        _unleash_event(
            5104, "feature-strategy-update", "2026-02-10T09:45:00.000Z", "substitution-v2", "production", by="bob",
            data=strategy, pre={**strategy, "parameters": {"rollout": "10", "stickiness": "default"}},
        ),
        _unleash_event(5105, "feature-archived", "2026-02-10T10:00:00.000Z", "old-banner"),
        _unleash_event(5106, "feature-favorited", "2026-02-10T10:01:00.000Z", "old-banner"),
        _unleash_event(5107, "segment-updated", "2026-02-10T10:02:00.000Z", data={"id": 3, "name": "beta-users"}),
        _unleash_event(5108, "project-created", "2026-02-10T10:03:00.000Z", data={"id": "search", "name": "search"}),
    ]
    wrapped = tmp_path / "unleash-events.json"
    wrapped.write_text(json.dumps({"version": 1, "events": events, "totalEvents": len(events)}))
    bare = tmp_path / "unleash-list.json"
    bare.write_text(json.dumps(events))
    for path in (wrapped, bare):
        df = read_changes(path)
        check_schema(df, CHANGES, stage="test")
        assert df["id"].to_list() == ["5103", "5104", "5105", "5107", "5108"]
        assert df["service"].to_list() == [None] * 5
        assert df["version"].to_list() == [None] * 5
        assert df["kind"].to_list() == ["feature_flag"] * 4 + ["project"]
        assert df["description"].to_list() == [
            "feature flag `substitution-v2` feature-environment-enabled in production by alice",
            "feature flag `substitution-v2` feature-strategy-update in production by bob: flexibleRollout rollout 50% (was 10%)",
            "feature flag `old-banner` feature-archived by alice",
            "segment `beta-users` segment-updated by alice",
            "project `search` project-created by alice",
        ]
        assert df["time"][0] == datetime(2026, 2, 10, 9, 41, 12, 345000, tzinfo=UTC)


def test_a_camel_case_column_name_is_its_alias(tmp_path):
    """``createdAt`` is ``created_at`` (a time), ``deployedAt`` ``deployed_at``, ``serviceName``
    ``service_name``; a name with no alias in either spelling (``updatedAt``: when the record
    last changed, not the change) is still no time column."""
    p = tmp_path / "changes.json"
    p.write_text(json.dumps([{"createdAt": "2026-02-10T09:00:00Z", "serviceName": "cart", "changeId": "C-7"}]))
    assert read_changes(p).select("time", "service", "id").row(0) == (datetime(2026, 2, 10, 9, tzinfo=UTC), "cart", "C-7")
    p = tmp_path / "changes.csv"
    p.write_text("deployedAt,createdAt,app\n2026-02-10 09:05:00,2026-02-10 08:00:00,cart\n")
    assert read_changes(p)["time"].to_list() == [datetime(2026, 2, 10, 9, 5, tzinfo=UTC)]  # deployed_at ranks first
    p = tmp_path / "updated.json"
    p.write_text(json.dumps([{"updatedAt": "2026-02-10T09:00:00Z", "service": "cart"}]))
    with pytest.raises(InputError, match="no time column"):
        read_changes(p)


def test_an_argo_cd_deploy_history(tmp_path):
    """Argo CD's deploy history as CSV: ``History ID`` is the id (before, every row got a
    ``chg-`` hash); it counts per application, so ids repeated across applications are
    ``<application>#<history id>``; the image's tag is the version, not the whole reference."""
    p = tmp_path / "argocd_history.csv"
    p.write_text(
        "Application,History ID,Deployed At,Revision,Image,Initiated By\n"
        "inventory-svc,1,2026-02-10T08:00:00Z,3f2a9c1,registry.example/inventory-svc:2.30.1,argocd\n"
        "inventory-svc,2,2026-02-10T09:00:00Z,8b1d0e2,registry.example/inventory-svc:2.30.2,argocd\n"
        "orders-api,1,2026-02-10T08:30:00Z,77aa01c,registry.example:5000/shop/orders-api:1.4.0@sha256:0123456789abcdef0123,argocd\n"
        "orders-api,2,2026-02-10T09:10:00Z,77aa02c,registry.example/shop/orders-api@sha256:abcdef0123456789abcd,argocd\n"
    )
    df = read_changes(p)
    assert df.select("service", "version", "id").rows() == [
        ("inventory-svc", "2.30.1", "inventory-svc#1"),
        ("orders-api", "1.4.0", "orders-api#1"),
        ("inventory-svc", "2.30.2", "inventory-svc#2"),
        ("orders-api", "sha256:abcdef012345", "orders-api#2"),
    ]
    # one application's history: its ids are unique as they are (and historyId / history_id too)
    for column in ("History ID", "historyId", "history_id"):
        p.write_text(
            f"Application,{column},Deployed At,Image\n"
            "inventory-svc,41,2026-02-10T08:00:00Z,registry.example/inventory-svc:2.30.1\n"
            "inventory-svc,42,2026-02-10T09:00:00Z,inventory-svc:2.30.2\n"
        )
        df = read_changes(p)
        assert df["id"].to_list() == ["41", "42"], column
        assert df["version"].to_list() == ["2.30.1", "2.30.2"]
    # a better id column wins; a version column's value is not taken apart without a repository path
    p.write_text("Application,ID,History ID,Deployed At,Version\ninventory-svc,D-9,3,2026-02-10T08:00:00Z,payment:v2\n")
    assert read_changes(p).select("id", "version").row(0) == ("D-9", "payment:v2")


def test_helm_history_jenkins_builds_and_servicenow_custom_fields(tmp_path):
    """Blind probe BL: ``helm history <release> -o json`` and a Jenkins JSON API export
    (``/api/json?tree=jobs[name,builds[...]]``) were refused ("no time column"), which
    stopped the whole report; ServiceNow's custom ``u_version`` column was not read."""
    helm = [
        {"revision": 2, "updated": "2026-03-03T04:43:28.725147+00:00", "status": "superseded",
         "chart": "booking-api-0.1.0", "app_version": "2.12.0", "description": "Upgrade complete"},
        {"revision": 3, "updated": "2026-03-04T11:31:16.373383+00:00", "status": "deployed",
         "chart": "booking-api-2.13.4", "app_version": "2.13.4", "description": "Upgrade complete"},
        {"revision": 4, "updated": "2026-03-04T12:02:00+00:00", "status": "deployed",
         "chart": "booking-api-0.1.0", "app_version": "", "description": "Rollback to 2"},
    ]
    (tmp_path / "helm-history-booking-api.json").write_text(json.dumps(helm))
    df = read_changes(tmp_path / "helm-history-booking-api.json")
    assert df["service"].to_list() == ["booking-api"] * 3
    assert df["id"].to_list() == ["booking-api#2", "booking-api#3", "booking-api#4"]
    assert df["version"].to_list() == ["2.12.0", "2.13.4", "0.1.0"]
    assert df["kind"].to_list() == ["deploy", "deploy", "rollback"]
    assert df["time"][1] == datetime(2026, 3, 4, 11, 31, 16, 373383, tzinfo=UTC)

    jenkins = {"_class": "hudson.model.Hudson", "jobs": [
        {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": "deploy-video-session", "builds": [
            {"number": 303, "timestamp": 1773043108959, "duration": 240000, "result": "SUCCESS",
             "displayName": "#303 1.8.0", "description": "Release video-session 1.8.0: room presence cache"},
            {"number": 302, "timestamp": 1772647814304, "duration": 240000, "result": "FAILURE", "displayName": "#302"},
        ]},
        {"name": "nightly-report", "builds": []},
    ]}
    (tmp_path / "jenkins-builds.json").write_text(json.dumps(jenkins))
    df = read_changes(tmp_path / "jenkins-builds.json").sort("time")
    assert df["service"].to_list() == ["video-session", "video-session"]
    assert df["id"].to_list() == ["deploy-video-session#302", "deploy-video-session#303"]
    assert df["version"].to_list() == [None, "1.8.0"]
    # (a build's timestamp is its start: the deploy lands when it finishes)
    assert df["time"][1] == datetime(2026, 3, 9, 8, 2, 28, 959000, tzinfo=UTC)
    assert "result FAILURE" in df["description"][0]

    (tmp_path / "change_request.csv").write_text(
        '"number","short_description","cmdb_ci","type","start_date","u_version"\n'
        '"CHG0041","Release booking-api 2.13.4","TH Booking API (prod)","Normal","2026-03-06 13:12:14","2.13.4"\n'
    )
    assert read_changes(tmp_path / "change_request.csv")["version"].to_list() == ["2.13.4"]


def test_a_console_transcript_is_no_change_list(tmp_path):
    """A ``terraform apply`` transcript passed as a change file was refused as "3 fields but
    the header has 1", which reads as a CSV quoting problem."""
    p = tmp_path / "terraform-apply.txt"
    p.write_text("$ terraform apply -auto-approve\nazurerm_rule.allow_https: Refreshing state... [id=/x, y]\n")
    with pytest.raises(InputError, match=r"terraform-apply.txt:1: not a change list: its first line"):
        read_changes(p)


def test_argo_cd_application_history_and_flux_helmrelease_events(tmp_path):
    """Blind probe BN: ``kubectl get applications -o json`` (Argo CD's history in each
    application's ``status.history``) was refused, which stopped the whole report; Flux's
    HelmRelease events in ``kubectl get events -o json`` gave no change and no word of it."""
    app = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "billing-api", "namespace": "argocd"},
        "spec": {"source": {"repoURL": "https://git.example/deploy.git", "path": "apps/billing-api"}},
        "status": {"history": [
            {"id": 9, "revision": "0f3c5a7d1e2b4c6d8e9f0a1b2c3d4e5f6a7b8c9d", "deployedAt": "2024-03-04T21:00:00Z",
             "source": {"targetRevision": "v0.30.2"}},
            {"id": 10, "revision": "6e1e15cb7779791d7ab7d6823f47fd6fe0cc9e5b", "deployStartedAt": "2024-03-05T00:37:06Z",
             "deployedAt": "2024-03-05T00:37:26Z", "source": {"targetRevision": "v0.31.0"},
             "initiatedBy": {"username": "a.kowalski"}},
        ]},
    }
    (tmp_path / "argocd-applications.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [app]}))
    df = read_changes(tmp_path / "argocd-applications.json").sort("time")
    assert df["service"].to_list() == ["billing-api", "billing-api"]
    assert df["id"].to_list() == ["billing-api#9", "billing-api#10"]
    assert df["version"].to_list() == ["v0.30.2", "v0.31.0"]
    assert df["time"][1] == datetime(2024, 3, 5, 0, 37, 26, tzinfo=UTC)
    assert "a.kowalski" in df["description"][1]

    def event(reason: str, kind: str, name: str, message: str, at: str) -> dict:
        return {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{name}.x", "namespace": "fleet", "uid": f"uid-{name}-{at}"},
            "involvedObject": {"apiVersion": "helm.toolkit.fluxcd.io/v2beta2", "kind": kind, "name": name, "namespace": "fleet"},
            "reason": reason, "message": message, "firstTimestamp": at, "lastTimestamp": at, "type": "Normal",
        }

    flux = {"apiVersion": "v1", "kind": "List", "items": [
        event("UpgradeSucceeded", "HelmRelease", "mqtt-broker",
              "Helm upgrade succeeded for release fleet/mqtt-broker.v20 with chart mqtt-broker@2.0.18", "2024-03-05T21:22:08Z"),
        event("ReconciliationSucceeded", "Kustomization", "apps", "Reconciliation finished in 1.2s", "2024-03-05T21:23:00Z"),
        event("RollbackSucceeded", "HelmRelease", "mqtt-broker",
              "Helm rollback to previous release fleet/mqtt-broker.v19 with chart mqtt-broker@2.0.17 succeeded", "2024-03-05T21:50:00Z"),
    ]}
    (tmp_path / "flux-events.json").write_text(json.dumps(flux))
    df = read_changes(tmp_path / "flux-events.json").sort("time")
    assert df["service"].to_list() == ["mqtt-broker", "mqtt-broker"]
    assert df["kind"].to_list() == ["deploy", "rollback"]
    assert df["version"].to_list() == ["2.0.18", "2.0.17"]
    # (events that hold no change: the user is told the file gave nothing)
    (tmp_path / "pod-events.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        event("BackOff", "Pod", "mqtt-broker-0", "Back-off restarting failed container", "2024-03-05T21:30:00Z"),
    ]}))
    with pytest.warns(RcakitWarning, match="none of them a change"):
        assert read_changes(tmp_path / "pod-events.json").height == 0


def test_a_paginated_audit_log_page_is_its_list_of_changes(tmp_path):
    """An API's page (``{"count", "next", "previous", "results": [...]}``, Django REST
    framework's, Flagsmith's audit log) is its list; an entry dated only by a column named as
    a moment (``created_date``) has that time; one with neither kind nor version is what its
    text says (a flag's state changed, a flag was created). Before: "item 0: no time column" and exit 2."""
    p = tmp_path / "flagsmith-audit.json"
    page = {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": 118223,
                "created_date": "2024-03-26T17:43:20.000000Z",
                "log": "Flag state / Remote config value updated for feature: loyalty_double_points",
                "author": {"id": 3, "email": "product@example.org"},
                "environment": {"id": 7, "name": "Production"},
                "related_object_type": "FEATURE_STATE",
            },
            {
                "id": 118224,
                "created_date": "2024-03-26T18:02:00Z",
                "log": "New Flag / Remote Config created: search_v2",
            },
        ],
    }
    p.write_text(json.dumps(page))
    df = read_changes(p)
    assert df.select("id", "time", "kind").rows() == [
        ("118223", datetime(2024, 3, 26, 17, 43, 20, tzinfo=UTC), "feature_flag"),
        ("118224", datetime(2024, 3, 26, 18, 2, tzinfo=UTC), "feature_flag"),
    ]
    assert df["description"][0].startswith("Flag state / Remote config value updated")


def test_a_time_found_by_its_column_name_prefers_the_start(tmp_path):
    """With no time alias, a column named as a moment gives the time: one naming a start
    (``executionStartedOn``) before an unnamed one before an end (``finished_at``); a value
    that is an object is no time; the record's own last edit (``updatedAt``) never is."""
    p = tmp_path / "runs.json"
    p.write_text(json.dumps([
        {"finished_at": "2026-02-10T09:30:00Z", "window": {"at": "x"}, "executionStartedOn": "2026-02-10T09:10:00Z",
         "pipeline": "cart"},
        {"finished_at": "2026-02-10T10:30:00Z", "pipeline": "cart"},
    ]))
    assert read_changes(p)["time"].to_list() == [
        datetime(2026, 2, 10, 9, 10, tzinfo=UTC),
        datetime(2026, 2, 10, 10, 30, tzinfo=UTC),
    ]
