"""Every document of every manifest in ``deploy/`` validates against the Kubernetes API's own
schemas, offline: ``kubernetes-validate`` ships the JSON schemas of each Kubernetes release
(``strict``: no field the API does not know, as ``kubectl apply --validate=strict`` refuses).
Checked against the oldest release the manifests need (1.27: a CronJob's ``timeZone`` is GA
there) and the newest the package knows. A near miss of a real manifest must fail."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
MANIFESTS = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])
VERSIONS = ("1.27.0", kubernetes_validate.latest_version())


def _documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                name = (
                    f"{path.relative_to(DEPLOY)}:{document['kind']}/{document['metadata']['name']}"
                )
                found.append((name, document))
    return found


DOCUMENTS = _documents()


def _invalid(document: dict[str, Any], version: str) -> str | None:
    """The schema's complaint about ``document``, None when it validates."""
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return str(error.message)
    return None


def test_the_manifests_are_found() -> None:
    assert MANIFESTS and len(DOCUMENTS) >= 6


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_every_document_validates(name: str, document: dict[str, Any], version: str) -> None:
    assert _invalid(document, version) is None, name


def _deployment() -> dict[str, Any]:
    [found] = [d for _, d in DOCUMENTS if d["kind"] == "Deployment"]
    return copy.deepcopy(found)


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def _misspelt_probe(d: dict[str, Any]) -> None:
    _container(d)["readinesProbe"] = _container(d).pop("readinessProbe")


def _replicas_as_text(d: dict[str, Any]) -> None:
    d["spec"]["replicas"] = "3"


def _no_selector(d: dict[str, Any]) -> None:
    del d["spec"]["selector"]


def _mode_as_text(d: dict[str, Any]) -> None:
    d["spec"]["template"]["spec"]["volumes"][0]["secret"]["defaultMode"] = "0440"


def _env_without_name(d: dict[str, Any]) -> None:
    del _container(d)["env"][0]["name"]


@pytest.mark.parametrize(
    "break_it",
    [_misspelt_probe, _replicas_as_text, _no_selector, _mode_as_text, _env_without_name],
)
def test_a_near_miss_fails(break_it: Any) -> None:
    deployment = _deployment()
    assert _invalid(deployment, VERSIONS[0]) is None
    break_it(deployment)
    assert _invalid(deployment, VERSIONS[0]) is not None
