"""Backward-compatibility check of JSON Schemas against committed snapshots.

What breaks a consumer of a stable type (ARCHITECTURE §5): a removed field, a changed
type (including a field becoming nullable, or a type widened), a new required field, a
removed enum value, a removed stable type. Additive optional fields pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal[
    "removed_type", "removed_field", "changed_type", "new_required_field", "removed_enum_value"
]

_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


@dataclass(frozen=True, order=True)
class BreakingChange:
    subject: str  # event routing key, or "<openapi file>#<schema name>"
    path: str  # dotted path inside the schema ("" for the whole schema)
    kind: Kind
    detail: str

    def __str__(self) -> str:
        where = f"{self.subject}:{self.path}" if self.path else self.subject
        return f"{where}: {self.kind}: {self.detail}"


def compare_schemas(subject: str, old: dict[str, Any], new: dict[str, Any]) -> list[BreakingChange]:
    """Breaking changes from ``old`` to ``new``, each resolved against its own document."""
    walker = _Walker(subject, old, new)
    walker.compare(old, new, "")
    return sorted(walker.changes)


def compare_schema_sets(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], status_key: str
) -> list[BreakingChange]:
    """Compare snapshots keyed by subject; only those whose old status is stable count."""
    changes: list[BreakingChange] = []
    for subject, old_schema in sorted(old.items()):
        if old_schema.get(status_key) != "stable":
            continue
        if subject not in new:
            changes.append(BreakingChange(subject, "", "removed_type", "stable type removed"))
            continue
        changes.extend(compare_schemas(subject, old_schema, new[subject]))
    return changes


def compare_openapi(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[BreakingChange]:
    """Compare ``components.schemas`` of two OpenAPI documents: every public body counts."""
    changes: list[BreakingChange] = []
    old_schemas = old.get("components", {}).get("schemas", {})
    new_schemas = new.get("components", {}).get("schemas", {})
    for schema_name, old_schema in sorted(old_schemas.items()):
        subject = f"{name}#{schema_name}"
        if schema_name not in new_schemas:
            changes.append(BreakingChange(subject, "", "removed_type", "public body removed"))
            continue
        walker = _Walker(subject, old, new)
        walker.compare(old_schema, new_schemas[schema_name], "")
        changes.extend(sorted(walker.changes))
    return changes


class _Walker:
    def __init__(self, subject: str, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.subject = subject
        self.roots = (old_root, new_root)
        self.changes: set[BreakingChange] = set()
        self._seen: set[tuple[str, str, str]] = set()

    def _add(self, path: str, kind: Kind, detail: str) -> None:
        self.changes.add(BreakingChange(self.subject, path, kind, detail))

    def compare(self, old: Any, new: Any, path: str) -> None:
        old_ref, new_ref = old.get("$ref", ""), new.get("$ref", "")
        if old_ref or new_ref:
            # Recursive models: compare each pair of definitions once.
            pair = (old_ref, new_ref, path if not (old_ref and new_ref) else "")
            if pair in self._seen:
                return
            self._seen.add(pair)
        old, new = _resolve(old, self.roots[0]), _resolve(new, self.roots[1])
        old_branches = self._branches(old, 0)
        new_branches = self._branches(new, 1)
        if set(old_branches) != set(new_branches):
            self._add(
                path,
                "changed_type",
                f"{_fmt(old_branches)} -> {_fmt(new_branches)}",
            )
        for key in sorted(set(old_branches) & set(new_branches)):
            self._compare_same(old_branches[key], new_branches[key], path)

    def _branches(self, schema: dict[str, Any], side: int) -> dict[str, dict[str, Any]]:
        """Split a schema into its alternatives keyed by JSON type (Optional[X] is X|null)."""
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        if not alternatives:
            return {_type_of(schema): schema}
        out: dict[str, dict[str, Any]] = {}
        for index, alt in enumerate(alternatives):
            name = alt.get("$ref", "").rsplit("/", 1)[-1] or str(index)
            resolved = _resolve(alt, self.roots[side])
            key = _type_of(resolved)
            # Two alternatives of one JSON type (a union of models) are told apart by name.
            out[f"{key}:{name}" if key in out else key] = resolved
        return out

    def _compare_same(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        old_enum, new_enum = _enum(old), _enum(new)
        if old_enum is not None and new_enum is None:
            self._add(path, "changed_type", "enum constraint removed: any value may now appear")
        elif old_enum is not None and new_enum is not None:
            for value in old_enum:
                if value not in new_enum:
                    self._add(path, "removed_enum_value", f"{value!r} no longer allowed")
        old_props = old.get("properties", {})
        new_props = new.get("properties", {})
        for name in sorted(old_props):
            sub = f"{path}.{name}" if path else name
            if name not in new_props:
                self._add(sub, "removed_field", "field removed")
            else:
                self.compare(old_props[name], new_props[name], sub)
        new_required = set(new.get("required", [])) - set(old.get("required", []))
        for name in sorted(new_required):
            sub = f"{path}.{name}" if path else name
            self._add(sub, "new_required_field", "field is now required")
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], f"{path}[]")
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, f"{path}{{}}")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow local JSON-pointer refs (``#/$defs/X``, ``#/components/schemas/X``) and
    one-element ``allOf`` wrappers (how some generators attach metadata to a ref)."""
    for _ in range(64):
        if "$ref" in schema:
            node: Any = root
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
        elif "type" not in schema and len(schema.get("allOf", [])) == 1:
            schema = schema["allOf"][0]
        else:
            break
    return schema


def _enum(schema: dict[str, Any]) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def _type_of(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list):
        return "|".join(sorted(declared))
    values = _enum(schema)
    if values:
        return "|".join(sorted({_JSON_TYPES.get(type(v), "null") for v in values}))
    if "properties" in schema:
        return "object"
    return "any"


def _fmt(branches: dict[str, Any]) -> str:
    return " | ".join(sorted(branches)) or "nothing"
