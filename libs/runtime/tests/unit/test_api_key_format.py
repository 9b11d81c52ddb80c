import pytest
from hypothesis import given
from hypothesis import strategies as st

from cognive_runtime.auth.api_key_format import (
    BASE62,
    CHECKSUM_LENGTH,
    SECRET_LENGTH,
    _base62,
    checksum,
    generate_api_key,
    hash_api_key,
    parse_api_key,
    scopes_grant,
    verify_api_key_hash,
)

pytestmark = pytest.mark.unit


def test_generated_key_round_trips() -> None:
    key = generate_api_key("prod")
    parsed = parse_api_key(key.plaintext)
    assert parsed is not None
    assert parsed.env == "prod"
    assert parsed.key_id == key.key_id
    assert parsed.prefix == key.prefix == f"ck_prod_{key.key_id}"
    assert key.plaintext.startswith(key.prefix + "_")
    assert len(key.plaintext) == len(key.prefix) + 1 + SECRET_LENGTH + CHECKSUM_LENGTH
    assert key.secret_sha256_hex == hash_api_key(key.plaintext)
    assert len(key.secret_sha256_hex) == 64


def test_keys_are_unique_and_never_printed() -> None:
    keys = [generate_api_key("dev") for _ in range(200)]
    assert len({k.plaintext for k in keys}) == 200
    assert len({k.key_id for k in keys}) == 200
    assert keys[0].plaintext not in repr(keys[0])
    parsed = parse_api_key(keys[0].plaintext)
    assert parsed is not None
    assert keys[0].plaintext not in repr(parsed)


def test_small_secrets_are_padded_to_full_width() -> None:
    assert _base62(0, SECRET_LENGTH) == "0" * SECRET_LENGTH
    assert len(_base62(2**256 - 1, SECRET_LENGTH)) == SECRET_LENGTH
    assert len(checksum("")) == CHECKSUM_LENGTH
    with pytest.raises(ValueError, match="fit"):
        _base62(62**3, 3)


@pytest.mark.parametrize("env", ["", "Prod", "pr_od", "abcdefghijk", "dév"])
def test_bad_env_is_refused(env: str) -> None:
    with pytest.raises(ValueError, match="env"):
        generate_api_key(env)


# One key for the whole property: hypothesis must see the same data generation when it
# replays an example, so nothing random may happen inside the test.
TYPO_KEY = generate_api_key("dev").plaintext


@given(data=st.data())
def test_checksum_catches_any_single_character_typo(data: st.DataObject) -> None:
    key = TYPO_KEY
    # Everything after "ck_dev_" may be mistyped; a typo must never parse.
    position = data.draw(st.integers(min_value=len("ck_dev_"), max_value=len(key) - 1))
    replacement = data.draw(st.sampled_from([c for c in BASE62 + "_" if c != key[position]]))
    typo = key[:position] + replacement + key[position + 1 :]
    assert parse_api_key(typo) is None


def test_swapped_characters_are_caught() -> None:
    key = generate_api_key("dev").plaintext
    i = len(key) - 20
    if key[i] != key[i + 1]:
        swapped = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        assert parse_api_key(swapped) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ck_",
        "ck_dev_abcdefghijkl_",
        "Bearer ck_dev_abc",
        "ghp_0123456789012345678901234567890123456789",
        "ck_DEV_abcdefghijkl_" + "A" * 49,
        "ck_dev_abcdefghijk1_" + "A" * 49,  # '1' is not base32
        "ck_dev_abcdefghijkl_" + "A" * 48,  # too short
        "ck_dev_abcdefghijkl_" + "A" * 50,  # too long
        "ck_dev_abcdefghijkl_" + "A" * 42 + "-" + "A" * 6,
        "ck_abcdefghijk_abcdefghijkl_" + "A" * 49,  # env too long
    ],
)
def test_malformed_text_is_refused(text: str) -> None:
    assert parse_api_key(text) is None


def test_right_shape_wrong_checksum_is_refused() -> None:
    body = "ck_dev_abcdefghijkl_" + "A" * SECRET_LENGTH
    assert parse_api_key(body + checksum(body)) is not None
    wrong = "000000" if checksum(body) != "000000" else "000001"
    assert parse_api_key(body + wrong) is None


def test_hash_verification() -> None:
    key = generate_api_key("dev")
    assert verify_api_key_hash(key.plaintext, key.secret_sha256_hex)
    other = generate_api_key("dev")
    assert not verify_api_key_hash(other.plaintext, key.secret_sha256_hex)
    assert not verify_api_key_hash(key.plaintext, "")  # tombstone rows never match


def test_admin_scope_implies_every_scope() -> None:
    assert scopes_grant(["admin"], "events:write")
    assert scopes_grant(["admin"], "read")
    assert scopes_grant(["read"], "read")
    assert not scopes_grant(["read"], "events:write")
    assert not scopes_grant([], "read")
