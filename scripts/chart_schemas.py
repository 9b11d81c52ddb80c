"""Each service chart's `values.schema.json`, generated from that service's settings class so
that the chart cannot drift from the code: a `settings` key that is not a field of the
service, a secret put in plain `settings`, or a missing secret reference is refused by
`helm lint`, `helm template` and `helm install` alike.

    python scripts/chart_schemas.py           # write the five schemas
    python scripts/chart_schemas.py --check   # fail if a committed schema is out of date
"""

from __future__ import annotations

import importlib
import json
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("ingest", "registry", "cost", "budget", "notification")
# Credentials that are not typed SecretStr but carry a password all the same.
CREDENTIAL_FIELDS = {"postgres_dsn"}


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"cognive_{service}.settings")
    (cls,) = [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, BaseSettings)
        and v.model_config.get("env_prefix") == f"COGNIVE_{service.upper()}_"
    ]
    return cls


def is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    return any(is_secret(a) for a in typing.get_args(annotation))


def secret_fields(cls: type[BaseSettings]) -> list[str]:
    return sorted(
        name
        for name, field in cls.model_fields.items()
        if is_secret(field.annotation) or name in CREDENTIAL_FIELDS
    )


def required_secrets(service: str, secrets: list[str]) -> list[str]:
    # Without these a production pod would run on the local defaults (or not at all).
    needed = ["postgres_dsn", "rabbitmq_url", "redis_url", "jwt_hs256_secret"]
    if "secret_keys" in secrets:
        needed.append("secret_keys")  # notification's channel-config encryption keys
    return needed


def schema(service: str) -> dict[str, Any]:
    cls = settings_class(service)
    secrets = secret_fields(cls)
    # Set by the chart itself (common.env) or fixed by the chart's own values.
    managed = {"service", "http_host", "http_port"}
    plain = sorted(set(cls.model_fields) - set(secrets) - managed)
    scalar = {"type": ["string", "number", "boolean"]}
    ref = {
        "type": "object",
        "additionalProperties": False,
        "required": ["secret", "key"],
        "properties": {"secret": {"type": "string", "minLength": 1}, "key": {"type": "string"}},
    }
    flag = {"type": "boolean"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": f"cognive {service} chart values",
        "type": "object",
        "additionalProperties": False,
        "required": ["service", "port", "image", "settings", "secretSettings", "resources"],
        "properties": {
            "global": {"type": "object"},
            # The library chart's own (empty) values, merged in by helm.
            "cognive-common": {"type": "object"},
            "enabled": flag,
            "nameOverride": {"type": "string"},
            "fullnameOverride": {"type": "string"},
            "service": {"const": service},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "image": {
                "type": "object",
                "additionalProperties": False,
                "required": ["repository"],
                "properties": {
                    "repository": {"type": "string", "minLength": 1},
                    "tag": {"type": "string"},
                    "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
                },
            },
            "replicas": {"type": "integer", "minimum": 1},
            # Development (Tilt): run the image's entrypoint, which restarts on live update.
            "useImageEntrypoint": {"type": "boolean"},
            # The service drains for shutdown_grace_s (25 s by default) before exiting.
            "terminationGracePeriodSeconds": {"type": "integer", "minimum": 30},
            "settings": {
                "description": f"Plain settings of {cls.__name__} (COGNIVE_{service.upper()}_"
                "<KEY>); secrets belong in secretSettings.",
                "type": "object",
                "propertyNames": {"enum": plain},
                "additionalProperties": scalar,
            },
            "secretSettings": {
                "description": "Settings read from Kubernetes Secrets: {secret, key}.",
                "type": "object",
                "propertyNames": {"enum": secrets},
                "additionalProperties": ref,
                "required": required_secrets(service, secrets),
            },
            "resources": {
                "type": "object",
                "required": ["requests", "limits"],
                "properties": {
                    "requests": {"type": "object", "required": ["cpu", "memory"]},
                    "limits": {"type": "object", "required": ["memory"]},
                },
            },
            "autoscaling": {
                "type": "object",
                "properties": {
                    "enabled": flag,
                    "minReplicas": {"type": "integer", "minimum": 1},
                    "maxReplicas": {"type": "integer", "minimum": 1},
                    "targetCPUUtilizationPercentage": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 100,
                    },
                },
            },
            "keda": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "enabled": flag,
                    "queue": {"type": "string", "minLength": 1},
                    "messagesPerReplica": {"type": "integer", "minimum": 1},
                    "minReplicas": {"type": "integer", "minimum": 0},
                    "maxReplicas": {"type": "integer", "minimum": 1},
                },
            },
            "podDisruptionBudget": {
                "type": "object",
                "properties": {"enabled": flag, "maxUnavailable": {"type": ["integer", "string"]}},
            },
            "serviceMonitor": {
                "type": "object",
                "properties": {"enabled": flag, "interval": {"type": "string"}},
            },
            "networkPolicy": {
                "type": "object",
                "properties": {
                    "enabled": flag,
                    "postgresPort": {"type": "integer"},
                    "rabbitmqPort": {"type": "integer"},
                    "redisPort": {"type": "integer"},
                    "extraEgress": {"type": "array"},
                },
            },
            "migrationJob": {"type": "object", "properties": {"enabled": flag}},
        },
    }


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for service in SERVICES:
        path = ROOT / "charts" / service / "values.schema.json"
        text = json.dumps(schema(service), indent=2) + "\n"
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
    if stale:
        print(f"out of date (run python scripts/chart_schemas.py): {', '.join(stale)}")
        return 1
    print("chart schemas " + ("up to date" if check else "written"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
