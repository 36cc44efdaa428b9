"""Schemathesis hooks for tests/contract/run: signs in as real clients would.

Tokens come from the API's own sign-in (`CONTRACT_LOGIN_PATH` on `CONTRACT_HOST`, as
`CONTRACT_EMAIL` / `CONTRACT_PASSWORD`) and are kept alive with refresh tokens, as a client
keeps its session.

Generated cases may end the session they are sent with (sign-out, ending sessions), change the
account's e-mail, or spend the account's budget of failed secret checks with wrong passwords
and codes (after ten, sign-in answers 429 for a while: as designed). So, on the tenant API,
the operations a user does to their own account (`SELF_SERVICE`) are sent as a second
administrator, made through the API by the first; when it can no longer sign in, a new one is
made. Everything else is sent as the first, whose session nothing generated can end.

The tenant's trust thresholds are set to zero first, so cases reach the handlers' own checks
rather than stopping at the trust score (trust has tests of its own). Settings changed by a
generated `PUT /api/v1/settings` (MFA required for administrators, thresholds no session
meets) would turn every later case into a 403; they are put back after each such case, so
every case runs under the same policy.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import urllib.error
import urllib.request

import schemathesis

BASE_URL = os.environ["CONTRACT_BASE_URL"]
HOST = os.environ["CONTRACT_HOST"]
LOGIN_PATH = os.environ["CONTRACT_LOGIN_PATH"]
TENANT_API = LOGIN_PATH.startswith("/api/v1/")

# What a user does to their own account or session.
SELF_SERVICE = {
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/sessions"),
    ("DELETE", "/api/v1/auth/sessions/{id}"),
    ("POST", "/api/v1/auth/mfa/totp"),
    ("DELETE", "/api/v1/auth/mfa/totp"),
    ("POST", "/api/v1/auth/mfa/totp/confirm"),
    ("GET", "/api/v1/users/me"),
    ("PATCH", "/api/v1/users/me"),
    ("POST", "/api/v1/users/me/password"),
}

# Schemathesis is a multi-threaded client; the accounts are shared state.
LOCK = threading.RLock()


class Refused(Exception):
    pass


def call(method: str, path: str, body: object = None, token: str | None = None) -> object:
    headers = {"Host": HOST}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(BASE_URL + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise Refused(f"{method} {path}: {error.code} {error.read()[:300]!r}") from None


class Account:
    """One account's credentials and its current session."""

    def __init__(self, email: str, password: str) -> None:
        self.email = email
        self.password = password
        self.refresh_token: str | None = None

    def token(self) -> str:
        """A fresh access token: the session's next one, or a new session's first."""
        if self.refresh_token and TENANT_API:
            try:
                pair = call("POST", "/api/v1/auth/refresh", {"refresh_token": self.refresh_token})
                return self._keep(pair)
            except Refused:
                self.refresh_token = None
        return self._keep(call("POST", LOGIN_PATH, {"email": self.email, "password": self.password}))

    def _keep(self, pair: object) -> str:
        assert isinstance(pair, dict)
        self.refresh_token = pair.get("refresh_token")
        return str(pair["access_token"])


FIRST = Account(os.environ["CONTRACT_EMAIL"], os.environ["CONTRACT_PASSWORD"])
SERIAL = itertools.count(1)
SELF: list[Account] = []


def self_service_token() -> str:
    """The second administrator's token; a new administrator when the last one is spent."""
    with LOCK:
        if SELF:
            try:
                return SELF[-1].token()
            except Refused:
                pass
        n = next(SERIAL)
        account = Account(f"self-{n}@contract.localhost", f"self-service-password-{n}")
        call(
            "POST",
            "/api/v1/users",
            {
                "email": account.email,
                "password": account.password,
                "display_name": f"Self service {n}",
                "role": "administrator",
            },
            token=first_token(),
        )
        SELF.append(account)
        return account.token()


FIRST_TOKEN: list[str] = []


def first_token(renew: bool = False) -> str:
    with LOCK:
        if renew or not FIRST_TOKEN:
            FIRST_TOKEN[:] = [FIRST.token()]
        return FIRST_TOKEN[0]


def is_self_service(case) -> bool:
    return TENANT_API and (case.operation.method.upper(), case.operation.path) in SELF_SERVICE


def key(case, context) -> str:
    return "self" if is_self_service(case) else "first"


@schemathesis.auth(refresh_interval=300, retry_on=[401], cache_by_key=key)
class SignedIn:
    def get(self, case, context):
        if is_self_service(case):
            return self_service_token()
        return first_token(renew=True)

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


OPEN_TRUST = {"trust_thresholds": {"create_draft": 0, "publish": 0, "read_phi": 0, "manage_users": 0}}
if TENANT_API:
    call("PUT", "/api/v1/settings", OPEN_TRUST, token=first_token())


@schemathesis.hook
def after_call(context, case, response):
    if (
        TENANT_API
        and case.operation.method.upper() == "PUT"
        and case.operation.path == "/api/v1/settings"
        and response.status_code == 200
    ):
        with LOCK:
            call("PUT", "/api/v1/settings", OPEN_TRUST, token=first_token())


# `orderby=relevance` ranks by the search, so without `search` it is a 400 (as WordPress's
# `rest_no_search_term_defined`). One parameter depending on another is beyond what the
# document's parameter schemas can say; such cases are not generated.
RANKED_LISTS = {"/api/v1/posts", "/api/v1/pages", "/api/v1/content/{type}"}


@schemathesis.hook
def filter_case(context, case):
    if case.operation.method.upper() != "GET" or case.operation.path not in RANKED_LISTS:
        return True
    query = case.query or {}
    search = query.get("search")
    return query.get("orderby") != "relevance" or (isinstance(search, str) and search.strip() != "")


# Plugin uploads are WebAssembly components, sent as they are, like any binary body.
schemathesis.serializer.alias("application/wasm", "application/octet-stream")
