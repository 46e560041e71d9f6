"""Configuration: schema validation with defaults, and the cross-checks a schema cannot express.

Every error names the offending key as a dotted path and says how to fix it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bcfpipe.errors import PipelineError

REPO = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO / "config" / "schema.yaml"
PATCH_ROOT = REPO / "patches" / "linux"
FRAGMENT_ROOT = REPO / "config" / "kernel"


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    with open(path) as f:
        schema: dict[str, Any] = yaml.safe_load(f)
    return schema


def _fill_defaults(schema: dict[str, Any], instance: Any) -> None:
    """Fill defaults recursively, descending into objects and array items.

    jsonschema does not apply defaults itself; filling before validation means a default that is
    itself invalid is reported too.
    """
    if not isinstance(instance, dict):
        if isinstance(instance, list) and "items" in schema:
            for item in instance:
                _fill_defaults(schema["items"], item)
        return
    props: dict[str, Any] = schema.get("properties", {})
    for key, sub in props.items():
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if isinstance(instance.get(key), str):
            instance[key] = _scalar(sub.get("type"), instance[key])
        if key in instance:
            _fill_defaults(sub, instance[key])
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, value in instance.items():
            if key not in props:
                _fill_defaults(extra, value)


def _scalar(kind: Any, text: str) -> Any:
    """``text`` as the schema's number or boolean type, when it is one.

    Snakemake reads nested ``--config`` values (``load='{batch_size: 8}'``) with YAML's base
    loader, which leaves every scalar a string; a string is never valid where the schema wants a
    number, so nothing else changes meaning.
    """
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _key_path(path: Iterator[Any] | Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_at(schema: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    """The sub-schema that governs the value at ``path`` ({} when none does)."""
    node: Any = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return {}
    return node if isinstance(node, dict) else {}


def _describe(schema: dict[str, Any], path: list[Any]) -> str:
    return " ".join(str(_schema_at(schema, path).get("description", "")).split())


def validate(config: dict[str, Any], origin: str = "the config") -> dict[str, Any]:
    """Return a validated copy of ``config`` with every default filled in."""
    schema = load_schema()
    cfg = copy.deepcopy(config) if config else {}
    _fill_defaults(schema, cfg)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(cfg), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors:
            path = list(err.absolute_path)
            if err.validator == "additionalProperties":
                known = sorted(_schema_at(schema, path).get("properties", {}))
                lines.append(
                    f"  {_key_path(path)}: {err.message}; known keys here: {', '.join(known)}"
                )
                continue
            desc = _describe(schema, path)
            hint = f" ({desc})" if desc else ""
            lines.append(f"  {_key_path(path)}: {err.message}{hint}")
        raise PipelineError(
            f"invalid configuration in {origin}:\n"
            + "\n".join(lines)
            + "\nFix these keys (the schema with every key's description is config/schema.yaml)."
        )
    _cross_check(cfg, origin)
    return cfg


def _cross_check(cfg: dict[str, Any], origin: str) -> None:
    problems = []
    names = set()
    variant_names = [v["name"] for v in cfg["kernel"]["variants"]]
    if cfg["kernel"]["baseline"] not in variant_names:
        problems.append(
            f"  kernel.baseline: '{cfg['kernel']['baseline']}' is not a variant "
            f"(kernel.variants: {', '.join(variant_names)}); name the one to compare against"
        )
    for i, v in enumerate(cfg["kernel"]["variants"]):
        where = f"kernel.variants[{i}]"
        if v["name"] in names:
            problems.append(f"  {where}.name: variant '{v['name']}' is defined twice")
        names.add(v["name"])
        if v["source"] not in cfg["sources"]:
            problems.append(
                f"  {where}.source: '{v['source']}' is not a key of 'sources' "
                f"(known: {', '.join(sorted(cfg['sources']))})"
            )
        if v["series"] and not (PATCH_ROOT / v["series"] / "series").is_file():
            problems.append(
                f"  {where}.series: no file patches/linux/{v['series']}/series; create it or "
                f"set series to '' for an unpatched kernel"
            )
        if v["patch_sets"] and not v["patch_source"]:
            problems.append(
                f"  {where}.patch_source: patch_sets need the source whose tree holds them"
            )
        if v["patch_source"]:
            if v["patch_source"] not in cfg["sources"]:
                problems.append(
                    f"  {where}.patch_source: '{v['patch_source']}' is not a key of 'sources' "
                    f"(known: {', '.join(sorted(cfg['sources']))})"
                )
            if not v["patch_sets"]:
                problems.append(
                    f"  {where}.patch_sets: name the folders of {v['patch_source']} to apply"
                )
            if v["series"]:
                problems.append(
                    f"  {where}.series: a variant takes either a series or patch_sets, not both"
                )
        if v["loader"] == "bpftool" and v["bcf"] and not cfg["tools"]["cvc5"]["source"]:
            problems.append(
                f"  {where}.loader: the paper's bpftool loop with bcf needs the solver in the "
                f"guest: set tools.cvc5.source (see config/paper.yaml)"
            )
        for frag in v["fragments"]:
            if not (FRAGMENT_ROOT / f"{frag}.config").is_file():
                known = ", ".join(sorted(p.stem for p in FRAGMENT_ROOT.glob("*.config")))
                problems.append(
                    f"  {where}.fragments: config/kernel/{frag}.config does not exist "
                    f"(available: {known})"
                )
    val = cfg["validation"]
    if val["enabled"] or val["variant"]:
        try:
            validation_kernel(cfg)
        except PipelineError as err:
            problems.append(f"  validation.variant: {err}")
        for frag in val["fragments"]:
            if not (FRAGMENT_ROOT / f"{frag}.config").is_file():
                problems.append(
                    f"  validation.fragments: config/kernel/{frag}.config does not exist"
                )
    cvc5 = cfg["tools"]["cvc5"]
    for key in ("source", "patch_source"):
        if cvc5[key] and cvc5[key] not in cfg["sources"]:
            problems.append(
                f"  tools.cvc5.{key}: '{cvc5[key]}' is not a key of 'sources' "
                f"(known: {', '.join(sorted(cfg['sources']))})"
            )
    if cvc5["patches"] and not cvc5["patch_source"]:
        problems.append(
            "  tools.cvc5.patch_source: the patches need the source whose tree holds them"
        )
    imp = cfg["corpus"]["import_source"]
    if imp and imp not in cfg["sources"]:
        problems.append(
            f"  corpus.import_source: '{imp}' is not a key of 'sources' "
            f"(known: {', '.join(sorted(cfg['sources']))})"
        )
    if imp and cfg["corpus"]["prebuilt"]:
        problems.append("  corpus.prebuilt: set either prebuilt or import_source, not both")
    for name, src in cfg["sources"].items():
        if src["provider"] == "git":
            if not src.get("url"):
                problems.append(f"  sources.{name}.url: a 'git' source needs the repository url")
            if not src.get("commit"):
                problems.append(
                    f"  sources.{name}.commit: a 'git' source is pinned by its full 40-hex-digit "
                    f"commit id"
                )
        if src["provider"] == "url":
            if not src.get("url"):
                problems.append(f"  sources.{name}.url: a 'url' source needs its url")
            if not src.get("sha256"):
                problems.append(
                    f"  sources.{name}.sha256: a 'url' source needs the file's sha256 "
                    f"(compute it with: sha256sum FILE)"
                )
    if problems:
        raise PipelineError(f"invalid configuration in {origin}:\n" + "\n".join(problems))


# Source keys added after runs existed: left out of the fetch rule's spec while they hold their
# default, so adding them did not make Snakemake re-fetch (and rebuild) every existing source.
LATE_SOURCE_DEFAULTS: dict[str, Any] = {"commit": "", "expect": ["Makefile"]}


def fetch_spec(src: dict[str, Any]) -> dict[str, Any]:
    """What the fetch rule passes on (and Snakemake compares between runs) for one source."""
    return {k: v for k, v in src.items() if LATE_SOURCE_DEFAULTS.get(k, object()) != v}


def variant(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    for v in cfg["kernel"]["variants"]:
        if v["name"] == name:
            return dict(v)
    raise PipelineError(f"no kernel variant named '{name}' in the config")


CLANG_CANDIDATES = ("clang-19", "clang-16", "clang-15", "clang-14", "clang-13", "clang")


def guest_clang(cfg: dict[str, Any]) -> str:
    """The compiler for the guest's own tiny BPF objects: the newest clang installed."""
    import shutil

    for name in CLANG_CANDIDATES:
        if shutil.which(name):
            return name
    raise PipelineError(
        "no clang found (tried " + ", ".join(CLANG_CANDIDATES) + "): apt-get install -y clang-19"
    )


def validation_kernel(cfg: dict[str, Any]) -> dict[str, Any] | None:
    """The validation kernel's variant entry (the BCF variant plus KASAN), or None when off.

    Built like any variant (``rules/kernel.smk``), but the corpus is not loaded on it: only the
    validation runs there. With ``validation.enabled`` and no BCF variant that the project's
    loader drives, there is nothing to validate and None is returned.
    """
    val = cfg["validation"]
    variants = cfg["kernel"]["variants"]
    if not val["enabled"]:
        return None
    if val["variant"]:
        match = [v for v in variants if v["name"] == val["variant"]]
        if not match:
            raise PipelineError(
                f"'{val['variant']}' is not a variant (kernel.variants: "
                f"{', '.join(v['name'] for v in variants)})"
            )
        base = match[0]
        if not base["bcf"] or base["loader"] != "bcfpipe-load":
            raise PipelineError(
                f"variant '{base['name']}' is not a BCF variant driven by the project's loader "
                "(bcf: true, loader: bcfpipe-load); name one, or set validation.enabled: false"
            )
    else:
        found = [v for v in variants if v["bcf"] and v["loader"] == "bcfpipe-load"]
        if not found:
            return None
        base = found[0]
    name = f"{base['name']}-kasan"
    if any(v["name"] == name for v in variants):
        raise PipelineError(f"a variant is already named '{name}', the validation kernel's name")
    return dict(
        base,
        name=name,
        fragments=list(base["fragments"]) + list(val["fragments"]),
        make_vars=list(base["make_vars"]) + list(val["make_vars"]),
        cmdline=f"{base['cmdline']} {val['cmdline']}".strip(),
    )
