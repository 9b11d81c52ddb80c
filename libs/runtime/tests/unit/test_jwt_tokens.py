import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from cognive_runtime.auth.jwt_tokens import (
    InvalidToken,
    JwtConfig,
    JwtVerifier,
    issue_dev_token,
    parse_group_role_map,
    verify_token,
)
from cognive_runtime.auth.principals import RoleBinding
from cognive_runtime.settings import ServiceSettings

pytestmark = pytest.mark.unit

SECRET = "unit-test-hs256-secret-long-enough-for-sha256"
CONFIG = JwtConfig(hs256_secret=SECRET)
OIDC_ISSUER = "https://idp.example.test/"


def _reason(config: JwtConfig, token: str) -> str:
    with pytest.raises(InvalidToken) as info:
        JwtVerifier(config).verify(token)
    return info.value.reason


# ------------------------------------------------------------------ dev tokens (HS256)


def test_dev_token_round_trip() -> None:
    token = issue_dev_token(
        SECRET,
        "user-1",
        [RoleBinding("team-a", "developer"), RoleBinding("team-b", "viewer")],
        name="Ada",
        email="ada@example.test",
    )
    user = verify_token(token, CONFIG)
    assert user.user_id == "user-1"
    assert user.name == "Ada"
    assert user.email == "ada@example.test"
    assert user.roles == (RoleBinding("team-a", "developer"), RoleBinding("team-b", "viewer"))
    assert user.org_role is None
    assert user.role_in("team-a") == "developer"


def test_dev_token_from_settings_carries_issuer_and_audience() -> None:
    settings = ServiceSettings(service="registry", jwt_issuer="iss-x", jwt_audience="aud-x")
    token = issue_dev_token(settings, "admin-1", org_role="admin")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "iss-x"
    assert claims["aud"] == "aud-x"
    user = JwtVerifier.from_settings(settings).verify(token)
    assert user.is_org_admin


def test_expired_token_is_refused() -> None:
    token = issue_dev_token(SECRET, "u", now=datetime.now(UTC) - timedelta(hours=2))
    assert _reason(CONFIG, token) == "expired"


def test_wrong_audience_and_issuer_are_refused() -> None:
    other_aud = issue_dev_token(JwtConfig(hs256_secret=SECRET, audience="other"), "u")
    assert _reason(CONFIG, other_aud) == "audience"
    other_iss = issue_dev_token(JwtConfig(hs256_secret=SECRET, issuer="evil"), "u")
    assert _reason(CONFIG, other_iss) == "issuer"


def test_wrong_signature_is_refused() -> None:
    token = issue_dev_token("another-secret-that-is-long-enough-too!!", "u")
    assert _reason(CONFIG, token) == "signature"


def test_alg_none_is_refused() -> None:
    now = datetime.now(UTC)
    claims = {
        "sub": "u",
        "iss": CONFIG.issuer,
        "aud": CONFIG.audience,
        "iat": now,
        "exp": now + timedelta(hours=1),
        "org_role": "admin",
    }
    token = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    assert _reason(CONFIG, token) == "algorithm"


@pytest.mark.parametrize("token", ["", "abc", "not.a.jwt", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9.x.y"])
def test_malformed_token_is_refused(token: str) -> None:
    assert _reason(CONFIG, token) == "malformed"


def test_missing_claims_and_bad_roles_are_refused() -> None:
    now = datetime.now(UTC)
    base = {"iss": CONFIG.issuer, "aud": CONFIG.audience, "iat": now, "exp": now + timedelta(1)}
    no_sub = jwt.encode(base, SECRET, algorithm="HS256")
    assert _reason(CONFIG, no_sub) == "claims"
    bad_role = jwt.encode(
        {**base, "sub": "u", "roles": [{"team_id": "a", "role": "owner"}]}, SECRET, "HS256"
    )
    assert _reason(CONFIG, bad_role) == "claims"
    bad_org = jwt.encode({**base, "sub": "u", "org_role": "root"}, SECRET, "HS256")
    assert _reason(CONFIG, bad_org) == "claims"


def test_dev_tokens_can_be_turned_off() -> None:
    token = issue_dev_token(SECRET, "u")
    assert _reason(JwtConfig(hs256_secret=None), token) == "algorithm"
    with pytest.raises(ValueError, match="disabled"):
        issue_dev_token(JwtConfig(hs256_secret=None), "u")


async def test_verify_async_for_dev_tokens() -> None:
    token = issue_dev_token(SECRET, "u", [RoleBinding("t", "admin")])
    user = await JwtVerifier(CONFIG).verify_async(token)
    assert user.has_role("t", "team_lead")


# ------------------------------------------------------------------ OIDC (JWKS over HTTP)


class _Jwks:
    """A JWKS served by a real HTTP server on loopback, like an identity provider's."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        rsa_jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.rsa.public_key()))
        ec_jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(self.ec.public_key()))
        self.body = json.dumps(
            {
                "keys": [
                    {**rsa_jwk, "kid": "rsa-1", "alg": "RS256", "use": "sig"},
                    {**ec_jwk, "kid": "ec-1", "alg": "ES256", "use": "sig"},
                ]
            }
        ).encode()
        self.requests = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(jwks.body)))
                self.end_headers()
                self.wfile.write(jwks.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def jwks() -> Iterator[_Jwks]:
    server = _Jwks()
    yield server
    server.close()


def _oidc_config(url: str, **overrides: Any) -> JwtConfig:
    values: dict[str, Any] = {
        "hs256_secret": SECRET,
        "oidc_jwks_url": url,
        "oidc_issuer": OIDC_ISSUER,
        "oidc_audience": "cognive-console",
        "oidc_group_roles": parse_group_role_map(
            {
                "platform": "*:admin",
                "team-a-devs": "team-a:developer",
                "team-a-leads": "team-a:team_lead",
                "team-b-read": "team-b:viewer",
            }
        ),
    }
    values.update(overrides)
    return JwtConfig(**values)


def _oidc_claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "oidc|42",
        "iss": OIDC_ISSUER,
        "aud": "cognive-console",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "preferred_username": "grace",
        "email": "grace@example.test",
        "groups": ["team-a-devs", "team-a-leads", "team-b-read", "unmapped"],
    }
    claims.update(overrides)
    return claims


def _rs256(jwks: _Jwks, claims: dict[str, Any], kid: str = "rsa-1", key: Any = None) -> str:
    return jwt.encode(claims, key or jwks.rsa, algorithm="RS256", headers={"kid": kid})


def test_oidc_rs256_maps_groups_to_role_bindings(jwks: _Jwks) -> None:
    user = JwtVerifier(_oidc_config(jwks.url)).verify(_rs256(jwks, _oidc_claims()))
    assert user.user_id == "oidc|42"
    assert user.name == "grace"
    assert user.email == "grace@example.test"
    assert user.roles == (RoleBinding("team-a", "team_lead"), RoleBinding("team-b", "viewer"))
    assert user.org_role is None
    assert jwks.requests >= 1


async def test_oidc_es256_and_org_wide_group(jwks: _Jwks) -> None:
    token = jwt.encode(
        _oidc_claims(groups="platform"), jwks.ec, algorithm="ES256", headers={"kid": "ec-1"}
    )
    user = await JwtVerifier(_oidc_config(jwks.url)).verify_async(token)
    assert user.is_org_admin
    assert user.has_role("any-team", "admin")


def test_oidc_checks_issuer_audience_and_expiry(jwks: _Jwks) -> None:
    config = _oidc_config(jwks.url)
    assert _reason(config, _rs256(jwks, _oidc_claims(aud="someone-else"))) == "audience"
    assert _reason(config, _rs256(jwks, _oidc_claims(iss="https://evil.test/"))) == "issuer"
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = _oidc_claims(iat=past - timedelta(minutes=5), exp=past)
    assert _reason(config, _rs256(jwks, expired)) == "expired"


def test_oidc_refuses_foreign_keys_and_unknown_kids(jwks: _Jwks) -> None:
    config = _oidc_config(jwks.url)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _reason(config, _rs256(jwks, _oidc_claims(), key=stranger)) == "signature"
    assert _reason(config, _rs256(jwks, _oidc_claims(), kid="nope")) == "signature"


def test_algorithm_confusion_is_refused(jwks: _Jwks) -> None:
    """An HS256 token whose HMAC key is the IdP's public key must not pass."""
    public_pem = jwks.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _oidc_claims(iat=1, exp=4_000_000_000)
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode())
    signing_input = header + b"." + payload
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    token = (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()
    assert _reason(_oidc_config(jwks.url), token) == "signature"


def test_unreachable_jwks_is_a_distinct_failure(jwks: _Jwks) -> None:
    with socket.socket() as sock:  # a loopback port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = _oidc_config(f"http://127.0.0.1:{port}/jwks.json")
    assert _reason(config, _rs256(jwks, _oidc_claims())) == "jwks_unavailable"


def test_without_oidc_asymmetric_tokens_are_refused(jwks: _Jwks) -> None:
    assert _reason(CONFIG, _rs256(jwks, _oidc_claims())) == "algorithm"


def test_oidc_requires_an_issuer() -> None:
    with pytest.raises(ValueError, match="oidc_issuer"):
        JwtVerifier(JwtConfig(hs256_secret=None, oidc_jwks_url="http://127.0.0.1:1/jwks"))


@pytest.mark.parametrize("value", ["team-a", "team-a:owner", ":admin", "team-a:"])
def test_bad_group_mapping_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_group_role_map({"g": value})


def test_group_mapping_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGNIVE_OIDC_GROUP_ROLE_MAP", json.dumps({"ops": "*:viewer"}))
    settings = ServiceSettings(service="cost")
    config = JwtConfig.from_settings(settings)
    assert config.oidc_group_roles["ops"].team_id is None
    assert config.oidc_group_roles["ops"].role == "viewer"
