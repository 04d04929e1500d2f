"""A change with no service (a secret rotation, a network policy, a node upgrade), or to
infrastructure that writes no logs in the exports (DNS, a mesh)."""

from __future__ import annotations

import warnings

import polars as pl
import pytest

import rcakit
from rcakit.changes import read_changes
from rcakit.errors import RcakitWarning


def _global_cause(
    tmp_path, fault: str, seed: int, service: str | None = None, *, restarts: bool = True,
    description: str = "rotate shared secrets", earlier: str | None = None, kind: str = "infra",
):
    """A scenario whose causing change is rewritten as an infra change with no service (or
    to ``service``, which writes no logs, of ``kind``); without ``restarts``, the root's log loses its
    lines of stopping and starting (the change did not restart it)."""
    sc = rcakit.generate_incident(tmp_path / fault, fault=fault, seed=seed, hours=3)
    if not restarts:
        log = next(p for p in sc.out_dir.iterdir() if p.name.startswith(f"{sc.truth.root_service}."))
        lines = log.read_text().splitlines(keepends=True)
        restart = ("SIGTERM", f"starting {sc.truth.root_service} ", " started in ")
        log.write_text("".join(line for line in lines if not any(w in line for w in restart)))
    path = sc.out_dir / "deploys.csv"
    changes = read_changes(path).with_columns(
        pl.when(pl.col("id") == sc.truth.cause_change_id)
        .then(pl.lit(service, dtype=pl.String))
        .otherwise(pl.col("service"))
        .alias("service"),
        pl.when(pl.col("id") == sc.truth.cause_change_id).then(pl.lit(kind)).otherwise(pl.col("kind")).alias("kind"),
        pl.when(pl.col("id") == sc.truth.cause_change_id)
        .then(pl.lit(description.format(root=sc.truth.root_service)))
        .otherwise(pl.col("description"))
        .alias("description"),
        # (``earlier``: the change is moved back by that much; what followed it stays put)
        pl.when(pl.col("id") == sc.truth.cause_change_id)
        .then(pl.col("time").dt.offset_by(f"-{earlier}") if earlier else pl.col("time"))
        .otherwise(pl.col("time"))
        .alias("time"),
    )
    changes.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return sc.truth, rcakit.analyze(sc.out_dir)


@pytest.mark.slow
def test_a_change_with_no_service_is_named_when_the_root_changes_right_after_it(tmp_path):
    truth, report = _global_cause(tmp_path, "new_error", 3)
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    assert "with no service: rotate shared secrets" in inc.cause_reason
    assert f"{truth.root_service} behaves differently after it" in inc.cause_reason


@pytest.mark.slow
def test_a_change_with_no_service_that_restarted_the_root_is_named(tmp_path):
    # the rotation restarted the root (SIGTERM, "starting inventory ...", no deploy of its
    # own), which then hung: the change touched it, like its own deploy
    truth, report = _global_cause(tmp_path, "hang", 4)
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    suspect = next(s for s in inc.suspects if s.change.id == truth.cause_change_id)
    restart = [e for e in suspect.evidence if e.kind == "restart"]
    assert len(restart) == 1
    assert f"{truth.root_service} restarted after it" in restart[0].text


@pytest.mark.slow
def test_a_weak_change_with_no_service_is_told_not_named(tmp_path):
    # a hang 80 s after the rotation, which did not restart it: the root stops logging,
    # which alone does not reach the threshold for a change that names no service; the
    # reason says to check it
    truth, report = _global_cause(tmp_path, "hang", 4, restarts=False)
    inc = report.incidents[0]
    assert inc.root_service == truth.root_service
    assert inc.cause is None
    assert inc.cause_reason.startswith(f"the best suspect {truth.cause_change_id} is a change with no service")
    assert "(None)" not in inc.cause_reason


@pytest.mark.slow
def test_a_change_to_the_network_path_just_before_the_onset_relates_more(tmp_path):
    # the same weak evidence (a hang 80 s after it, no restart) names a change with no
    # service whose description says it changed the network path: calls a firewall rule
    # breaks fail at once
    truth, report = _global_cause(tmp_path, "hang", 4, restarts=False, description="tighten firewall rules for 10.40.1.0/24")
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    suspect = next(s for s in inc.suspects if s.change.id == truth.cause_change_id)
    assert any("it changes the network path" in e.text for e in suspect.evidence)
    # ... but not when it was applied a quarter of an hour before the root's new errors:
    # whatever it broke would have shown at once (named at 0.48 without that bound)
    truth, report = _global_cause(
        tmp_path / "earlier", "new_error", 3, description="tighten firewall rules for 10.40.1.0/24", earlier="15m"
    )
    inc = report.incidents[0]
    assert inc.root_service == truth.root_service
    assert inc.cause is None


@pytest.mark.slow
def test_a_change_to_infrastructure_without_logs_is_named_like_one_with_no_service(tmp_path):
    # (before: "coredns shows no anomaly in this incident", and no change explained it)
    truth, report = _global_cause(tmp_path, "new_error", 3, service="coredns")
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    assert "of coredns, which writes no logs here: rotate shared secrets" in inc.cause_reason
    suspect = next(s for s in inc.suspects if s.change.id == truth.cause_change_id)
    assert any("coredns writes no logs in these exports" in e.text for e in suspect.evidence)


@pytest.mark.slow
def test_a_release_of_an_application_without_logs_is_not_a_change_that_touches_every_service(tmp_path):
    # the same new errors after a release of an application that logs nothing here (a CMDB
    # item of a bank's web banking, probe AY): that release changed the application, not
    # the services here. Before: "REL-1 (deploy of olb-web, which writes no logs here) ...
    # and inventory behaves differently after it (a change to infrastructure may touch
    # every service)"
    truth, report = _global_cause(
        tmp_path, "new_error", 3, service="olb-web", kind="deploy", description="Release olb-web 8.14.7 via Azure DevOps"
    )
    inc = report.incidents[0]
    assert inc.root_service == truth.root_service
    assert inc.cause is None, inc.cause_reason
    assert "may touch every service" not in inc.cause_reason
    suspect = next(s for s in inc.suspects if s.change.id == truth.cause_change_id)
    assert any("a deploy of that application, not of infrastructure" in e.text for e in suspect.evidence)
    assert not any(e.text.endswith("after the change") for e in suspect.evidence if e.weight > 0)
    # ... while a patch of it (its kind says nothing of an application's own release) still may
    truth, report = _global_cause(
        tmp_path / "patch", "new_error", 3, service="olb-web", kind="maintenance", description="apply OS patches"
    )
    assert report.incidents[0].cause == truth.cause_change_id


@pytest.mark.slow
def test_a_change_to_unlogged_infrastructure_that_breaks_nothing_like_the_failures_is_not_named(tmp_path):
    # a busy change calendar (a Terraform run on every workspace) puts a change minutes
    # before any incident: one whose description says it added alert rules is not the cause
    # of a service's new AttributeErrors (probe BC: named at 0.48 for "a change to
    # infrastructure may touch every service", 13 times)
    truth, report = _global_cause(
        tmp_path, "new_error", 3, service="monitoring-prod", description="Add Grafana alert rules for ingest lag",
        restarts=False,
    )
    inc = report.incidents[0]
    assert inc.root_service == truth.root_service
    assert inc.cause is None, inc.cause_reason
    assert "it changes monitoring and none of the incident's failures reads like" in inc.cause_reason
    # ... while one whose description names the root may be
    truth, report = _global_cause(
        tmp_path / "named", "new_error", 3, service="vault-prod", restarts=False,
        description=f"Rotate the database credentials of {truth.root_service}",
    )
    assert report.incidents[0].cause == truth.cause_change_id, report.incidents[0].cause_reason


@pytest.mark.slow
def test_a_change_with_no_service_that_names_one_in_its_description_is_that_services(tmp_path):
    # an Ansible job's row names no service, but its description names the root as a whole
    # word: the weak evidence of the test above (a hang 80 s after it, no restart) names it,
    # as the root's own change (before, a change with no service, told not named)
    truth, report = _global_cause(
        tmp_path, "hang", 4, restarts=False, kind="config", description="Apply {root} pool tuning from group_vars"
    )
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    suspect = next(s for s in inc.suspects if s.change.id == truth.cause_change_id)
    assert suspect.change.service == truth.root_service
    assert any(e.text == f"same service as the root ({truth.root_service})" for e in suspect.evidence)
