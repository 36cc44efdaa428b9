"""Uses the client generated from openapi/openapi.json as an integrator would (tests/contract/run).

Imports every module of the generated package, round-trips models through `from_dict` and
`to_dict`, and is itself type-checked with mypy against the generated types
(`--follow-imports=silent`: the generator's own templates are not ours to lint).
"""

from __future__ import annotations

import importlib
import pkgutil

import platform_api_client
from platform_api_client import AuthenticatedClient
from platform_api_client.api.auth import login
from platform_api_client.api.posts import create_post, list_posts
from platform_api_client.models import LoginRequest, PostInput, Problem, Settings


def import_everything() -> int:
    count = 0
    for module in pkgutil.walk_packages(platform_api_client.__path__, "platform_api_client."):
        importlib.import_module(module.name)
        count += 1
    return count


def round_trips() -> None:
    problem = Problem.from_dict(
        {
            "type": "urn:platform:problem:validation_failed",
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "name: required",
            "code": "validation_failed",
            "errors": [{"field": "name", "message": "required"}],
            "request_id": "r-1",
        }
    )
    assert problem.status == 422 and problem.to_dict()["code"] == "validation_failed"
    post = PostInput.from_dict({"title": "Hello", "status": "draft", "sticky": True})
    assert post.to_dict()["sticky"] is True
    settings = Settings.from_dict({"timezone": "America/Sao_Paulo", "locale": "pt-BR"})
    assert settings.to_dict()["timezone"] == "America/Sao_Paulo"
    body = LoginRequest(email="admin@acme.example", password="correct horse battery staple")
    assert body.to_dict()["email"] == "admin@acme.example"


def typed_calls_build(client: AuthenticatedClient) -> None:
    """Never called: mypy checks these calls against the generated signatures."""
    login.sync_detailed(client=client, body=LoginRequest(email="a@b.example", password="p" * 12))
    create_post.sync_detailed(client=client, body=PostInput(title="Hello"))
    list_posts.sync_detailed(client=client, page=1, per_page=20)


if __name__ == "__main__":
    modules = import_everything()
    round_trips()
    print(f"generated client: {modules} modules import, models round-trip")
