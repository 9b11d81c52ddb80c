"""Checks terraform/ and tilt/Tiltfile without a cloud, a cluster, `terraform` or `tilt`.

Terraform: every .tf file parses (python-hcl2); every module has variables.tf, outputs.tf,
versions.tf and README.md; every `var.x` a module or environment uses is declared there;
every variable and output is described; every provider a module's resources need is in its
required_providers with a version constraint; every module an environment calls exists and
gets only variables it declares and every one it requires.

Tilt: the Tiltfile parses as Starlark (a Python subset, so `ast.parse`), its SERVICES
ports are the services' `http_port` settings, and the paths it syncs exist.

Runs from its own virtual environment (.tools/hcl2-venv, see scripts/check-terraform.sh).
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "terraform"
VAR_REF = re.compile(r"\bvar\.([a-zA-Z_][a-zA-Z0-9_]*)")
# Arguments of a module block that are Terraform's, not the module's variables.
META = {"source", "version", "count", "for_each", "providers", "depends_on"}
NEEDED = ("variables.tf", "outputs.tf", "versions.tf", "README.md")


def unquote(value: Any) -> str:
    return str(value).strip('"')


def parse(directory: Path, problems: list[str]) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for tf in sorted(directory.glob("*.tf")):
        try:
            parsed = hcl2.loads(tf.read_text())
        except Exception as exc:  # the parser's errors have no common base
            problems.append(f"{tf.relative_to(REPO)}: does not parse: {exc}")
            continue
        for key, blocks in parsed.items():
            if isinstance(blocks, list):
                merged.setdefault(key, []).extend(blocks)
    return merged


def declared(blocks: dict[str, list[Any]], kind: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in blocks.get(kind, []):
        out.update({unquote(k): v for k, v in block.items() if not k.startswith("__")})
    return out


def resource_types(blocks: dict[str, list[Any]]) -> set[str]:
    kinds = blocks.get("resource", []) + blocks.get("data", [])
    return {unquote(k) for block in kinds for k in block if not k.startswith("__")}


def required_providers(blocks: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for terraform in blocks.get("terraform", []):
        for providers in terraform.get("required_providers", []):
            out.update({k: v for k, v in providers.items() if not k.startswith("__")})
    return out


def check_directory(directory: Path, problems: list[str]) -> dict[str, list[Any]]:
    rel = directory.relative_to(REPO)
    for needed in NEEDED:
        if not (directory / needed).exists():
            problems.append(f"{rel}: no {needed}")
    blocks = parse(directory, problems)
    variables = declared(blocks, "variable")
    for kind in ("variable", "output"):
        for name, body in declared(blocks, kind).items():
            if not body.get("description"):
                problems.append(f"{rel}: {kind} {name} has no description")
    text = "\n".join(tf.read_text() for tf in directory.glob("*.tf"))
    for used in sorted(set(VAR_REF.findall(text)) - set(variables)):
        problems.append(f"{rel}: var.{used} is used but not declared")
    providers = required_providers(blocks)
    for name, spec in providers.items():
        if not isinstance(spec, dict) or not spec.get("version"):
            problems.append(f"{rel}: provider {name} has no version constraint")
    for kind in sorted(resource_types(blocks)):
        provider = kind.split("_", 1)[0]
        if provider not in providers:
            problems.append(f"{rel}: {kind} needs provider {provider} in required_providers")
    return blocks


def check_terraform(problems: list[str]) -> str:
    modules: dict[str, dict[str, dict[str, Any]]] = {}
    for directory in sorted(p for p in (ROOT / "modules").iterdir() if p.is_dir()):
        modules[directory.name] = declared(check_directory(directory, problems), "variable")
    environments = sorted(p for p in (ROOT / "environments").iterdir() if p.is_dir())
    for env in environments:
        blocks = check_directory(env, problems)
        if not (env / "terraform.tfvars.example").exists():
            problems.append(f"{env.relative_to(REPO)}: no terraform.tfvars.example")
        for name, call in declared(blocks, "module").items():
            source = unquote(call.get("source", ""))
            target = (env / source).resolve()
            if target.name not in modules or not target.is_dir():
                problems.append(f"{env.name}: module {name}: no module at {source}")
                continue
            accepted = modules[target.name]
            arguments = {k for k in call if not k.startswith("__")} - META
            for argument in sorted(arguments - set(accepted)):
                problems.append(f"{env.name}: module {name} has no variable {argument}")
            for variable, body in accepted.items():
                if "default" not in body and variable not in call:
                    problems.append(f"{env.name}: module {name} needs {variable}")
    files = len(list(ROOT.glob("**/*.tf")))
    return (
        f"terraform: {files} files parse, {len(modules)} modules and"
        f" {len(environments)} environments consistent"
    )


def check_tiltfile(problems: list[str]) -> str:
    path = REPO / "tilt" / "Tiltfile"
    try:
        tree = ast.parse(path.read_text(), str(path))
    except SyntaxError as exc:
        problems.append(f"tilt/Tiltfile: does not parse: {exc}")
        return "tilt: does not parse"
    literals: dict[str, Any] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name):
            with contextlib.suppress(ValueError):  # not a literal
                literals[target.id] = ast.literal_eval(node.value)
    services = literals.get("SERVICES")
    if not isinstance(services, dict):
        problems.append("tilt/Tiltfile: no SERVICES = {service: port} literal")
        return "tilt: parses"
    for settings in sorted(REPO.glob("services/*/src/cognive_*/settings.py")):
        service = settings.parents[2].name
        port = re.search(r"^\s*http_port: int = (\d+)", settings.read_text(), re.MULTILINE)
        if service not in services:
            problems.append(f"tilt/Tiltfile: service {service} is not in SERVICES")
        elif port and services[service] != int(port.group(1)):
            problems.append(
                f"tilt/Tiltfile: {service} on {services[service]}, its http_port is {port.group(1)}"
            )
    for source in ["contracts/src", "libs/runtime/src"] + [f"services/{s}/src" for s in services]:
        if not (REPO / source).is_dir():
            problems.append(f"tilt/Tiltfile: syncs {source}, which does not exist")
    for chart in services:
        if not (REPO / "charts" / chart / "Chart.yaml").exists():
            problems.append(f"tilt/Tiltfile: no chart charts/{chart}")
    return f"tilt: Tiltfile parses, {len(services)} services agree with their settings and charts"


def main() -> int:
    problems: list[str] = []
    summaries = [check_terraform(problems), check_tiltfile(problems)]
    if problems:
        print("\n".join(problems))
        return 1
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
