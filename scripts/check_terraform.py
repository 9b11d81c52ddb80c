"""Checks the Terraform under terraform/ without a cloud or a `terraform` binary: every .tf
file parses (python-hcl2), every module has its variables.tf, outputs.tf and README.md,
every `var.x` a module uses is declared there, every variable and output is described, and
every module an environment calls exists and gets only variables it declares."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parent.parent / "terraform"
VAR_REF = re.compile(r"\bvar\.([a-zA-Z_][a-zA-Z0-9_]*)")
# Arguments of a module block that are Terraform's, not the module's variables.
META = {"source", "version", "count", "for_each", "providers", "depends_on", "__is_block__"}


def parse(directory: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for tf in sorted(directory.glob("*.tf")):
        try:
            parsed = hcl2.loads(tf.read_text())
        except Exception as exc:  # the parser's errors have no common base
            raise SystemExit(f"{tf.relative_to(ROOT)}: does not parse: {exc}") from exc
        for key, blocks in parsed.items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def declared(blocks: dict[str, list[Any]], kind: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in blocks.get(kind, []):
        out.update(block)
    return {k.strip('"'): v for k, v in out.items()}


def check_directory(directory: Path, problems: list[str]) -> dict[str, dict[str, Any]]:
    rel = directory.relative_to(ROOT)
    for needed in ("variables.tf", "outputs.tf", "README.md"):
        if not (directory / needed).exists():
            problems.append(f"{rel}: no {needed}")
    blocks = parse(directory)
    variables = declared(blocks, "variable")
    for name, body in variables.items():
        if not body.get("description"):
            problems.append(f"{rel}: variable {name} has no description")
    for name, body in declared(blocks, "output").items():
        if not body.get("description"):
            problems.append(f"{rel}: output {name} has no description")
    text = "\n".join(tf.read_text() for tf in directory.glob("*.tf"))
    for used in sorted(set(VAR_REF.findall(text)) - set(variables)):
        problems.append(f"{rel}: var.{used} is used but not declared")
    return blocks


def main() -> int:
    problems: list[str] = []
    modules = {}
    for directory in sorted((ROOT / "modules").iterdir()):
        check_directory(directory, problems)
        modules[directory.name] = declared(parse(directory), "variable")
    environments = sorted((ROOT / "environments").iterdir())
    for env in environments:
        blocks = check_directory(env, problems)
        for name, call in declared(blocks, "module").items():
            source = str(call["source"]).strip('"')
            target = (env / source).resolve()
            if not target.is_dir():
                problems.append(f"{env.name}: module {name}: no {source}")
                continue
            accepted = modules[target.name]
            for argument in set(call) - META - set(accepted):
                problems.append(f"{env.name}: module {name} has no variable {argument}")
            for variable, body in accepted.items():
                if "default" not in body and variable not in call:
                    problems.append(f"{env.name}: module {name} needs {variable}")
    files = len(list(ROOT.glob("**/*.tf")))
    if problems:
        print("\n".join(problems))
        return 1
    print(f"terraform OK: {files} files, {len(modules)} modules, {len(environments)} environments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
