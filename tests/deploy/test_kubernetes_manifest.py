"""The production shape of ``deploy/kubernetes/partyplan.yaml``, read as data.

PyYAML is no dependency: the manifest is read with PyYAML when it is installed, else with the
small reader below, which knows the subset the manifest is written in (block mappings and
sequences, flow ``{…}`` and ``[…]``, plain and double-quoted scalars, comments)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes" / "partyplan.yaml"
IMAGE_UID = 10001  # deploy/Dockerfile: useradd --uid 10001


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith('"'):
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"0[0-7]+", text):  # YAML 1.1's octal, as a file mode is written
        return int(text, 8)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _flow(text: str, at: int = 0, stop: str = "") -> tuple[Any, int]:
    """One flow value from ``text[at:]``, up to one of ``stop`` at its level."""
    while text[at] == " ":
        at += 1
    if text[at] in "{[":
        close = "}" if text[at] == "{" else "]"
        items: list[Any] = []
        at += 1
        while True:
            while text[at] in " ,":
                at += 1
            if text[at] == close:
                break
            if close == "}":
                colon = text.index(":", at)
                key = text[at:colon].strip()
                value, at = _flow(text, colon + 1, ",}")
                items.append((key, value))
            else:
                value, at = _flow(text, at, ",]")
                items.append(value)
        return (dict(items) if close == "}" else items), at + 1
    if text[at] == '"':
        end = text.index('"', at + 1)
        return text[at + 1 : end], end + 1
    end = at
    while end < len(text) and text[end] not in stop:
        end += 1
    return _scalar(text[at:end]), end


def _lines(document: str) -> list[tuple[int, str]]:
    kept = []
    for line in document.splitlines():
        # A comment starts at a # after a space, outside double quotes.
        text = re.sub(r'^((?:[^"#]|"[^"]*")*?)\s*(?:^|\s)#.*$', r"\1", line).rstrip()
        if text.strip():
            kept.append((len(text) - len(text.lstrip()), text.strip()))
    return kept


def _block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- "):
        items = []
        while i < len(lines) and lines[i] == (indent, lines[i][1]) and lines[i][1][:2] == "- ":
            content = lines[i][1][2:]
            if content[0] in '{["' or not re.match(r"[\w.-]+:( |$)", content):
                items.append(_flow(content)[0])
                i += 1
            else:  # a mapping whose first key shares the dash's line
                lines[i] = (indent + 2, content)
                value, i = _block(lines, i, indent + 2)
                items.append(value)
        return items, i
    mapping = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        key, _, rest = lines[i][1].partition(":")
        i += 1
        if rest.strip():
            mapping[key] = _flow(rest)[0]
        elif i < len(lines) and (
            lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))
        ):
            mapping[key], i = _block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def documents() -> list[dict]:
    text = MANIFEST.read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        return [_block(_lines(d), 0, 0)[0] for d in re.split(r"^---$", text, flags=re.M)]
    return list(yaml.safe_load_all(text))


def _one(kind: str, name: str) -> dict:
    found = [d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return found[0]


def _pods() -> dict[str, dict]:
    """Each workload's pod template spec, by workload name."""
    pods = {}
    for document in documents():
        spec = document["spec"]
        if document["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if document["kind"] in ("Deployment", "Job", "CronJob"):
            pods[document["metadata"]["name"]] = spec["template"]
    return pods


def _env(container: dict) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def test_the_reader_reads_what_pyyaml_would() -> None:
    assert _scalar("0440") == 0o440 and _scalar('"10"') == "10" and _scalar("true") is True
    value, _ = _flow('{a: {b: "x, y"}, c: [1, two], d: 0440}')
    assert value == {"a": {"b": "x, y"}, "c": [1, "two"], "d": 0o440}
    lines = _lines('a:\n  - b: 1  # note\n    c: "#x"\n  - [2]\nd: e\n')
    assert _block(lines, 0, 0)[0] == {"a": [{"b": 1, "c": "#x"}, [2]], "d": "e"}


def test_the_manifest_holds_the_production_shape() -> None:
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in documents())
    assert kinds == [
        ("CronJob", "partyplan-tallies-verify"),
        ("CronJob", "partyplan-warnings-scan"),
        ("Deployment", "partyplan"),
        ("Job", "partyplan-migrate"),
        ("PodDisruptionBudget", "partyplan"),
        ("Service", "partyplan"),
    ]


def test_every_workload_runs_as_the_images_non_root_user() -> None:
    pods = _pods()
    assert set(pods) == {
        "partyplan",
        "partyplan-migrate",
        "partyplan-warnings-scan",
        "partyplan-tallies-verify",
    }
    for name, pod in pods.items():
        context = pod["spec"]["securityContext"]
        assert context["runAsNonRoot"] is True, name
        assert context["runAsUser"] == context["runAsGroup"] == IMAGE_UID, name
        for container in pod["spec"]["containers"]:
            assert container.get("securityContext", {}).get("runAsUser", IMAGE_UID) == IMAGE_UID


def test_the_service_is_probed_and_has_no_owner_credentials() -> None:
    (container,) = _one("Deployment", "partyplan")["spec"]["template"]["spec"]["containers"]
    port = container["ports"][0]["containerPort"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port}
    env = _env(container)
    assert "PARTYPLAN_APP_DATABASE_URL" in env
    assert "PARTYPLAN_DATABASE_URL" not in env and "PARTYPLAN_APP_PASSWORD" not in env
    assert not any("owner" in str(value) for value in env.values())
    # The scrape token comes from a Secret, never from the manifest itself.
    assert set(env["PARTYPLAN_METRICS_TOKEN"]) == {"secretKeyRef"}


def test_the_budget_covers_the_services_replicas_only() -> None:
    deployment = _one("Deployment", "partyplan")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    budget = _one("PodDisruptionBudget", "partyplan")["spec"]
    assert budget["selector"]["matchLabels"].items() <= labels.items()
    assert budget["maxUnavailable"] < deployment["spec"]["replicas"]
    # The jobs' pods are not counted by the budget, nor served by the Service.
    for name, pod in _pods().items():
        if name != "partyplan":
            theirs = pod.get("metadata", {}).get("labels", {})
            assert not budget["selector"]["matchLabels"].items() <= theirs.items(), name


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("partyplan-warnings-scan", ["partyplan", "warnings", "scan"]),
        ("partyplan-tallies-verify", ["partyplan", "tallies", "verify"]),
    ],
)
def test_the_daily_jobs_run_one_at_a_time_as_the_owner(name: str, command: list[str]) -> None:
    cron = _one("CronJob", name)["spec"]
    assert cron["concurrencyPolicy"] == "Forbid"
    (container,) = cron["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["command"] == command
    migrate = _one("Job", "partyplan-migrate")["spec"]["template"]["spec"]["containers"][0]
    owner = _env(migrate)["PARTYPLAN_DATABASE_URL"]
    assert _env(container) == {"PARTYPLAN_DATABASE_URL": owner}
