"""The versioned data files and the committed manifest of their content hashes (tests/data-versions.json).

Every rule pack, lexicon, text model, playbook, classifier file, agreement policy file, segmentation,
zone table and message template carries a `version` that the audit ledger records with each decision. A
file whose content changes must carry a new version, or two different rule sets would share one name in
the ledger. `tests/test_data_versions.py` fails when a file's content no longer matches its manifest hash.

The documented step after editing a data file: bump its `version`, then record it with

    .venv/bin/python -m tests.data_versions --update

which refuses to record new content under a version the manifest already holds for that file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "asistente"
MANIFEST = Path(__file__).resolve().parent / "data-versions.json"

# What is versioned data (relative to src/asistente). Every match must carry a version.
PATTERNS = (
    "compliance/lexicon/*.json",
    "compliance/packs/*.json",
    "objections/playbooks/*.json",
    "objections/data/*.json",
    "agreements/policies/*.json",
    "portfolio/segmentation.json",
    "geo/zones.json",
    "drafting/templates/messages.json",
    "drafting/templates/us-regulation-f.json",
)


def data_files() -> list[Path]:
    found = {p for pattern in PATTERNS for p in PACKAGE.glob(pattern) if not p.name.endswith(".schema.json")}
    return sorted(found)


def version_of(document: Any) -> str | None:
    """The top-level `version`; for a file holding a list of documents, their versions joined."""
    if isinstance(document, dict):
        value = document.get("version")
        return value if isinstance(value, str) and value else None
    if isinstance(document, list):
        versions = sorted({d.get("version") for d in document if isinstance(d, dict) and d.get("version")})
        return "+".join(versions) if versions else None
    return None


def content_hash(document: Any) -> str:
    """SHA-256 of the canonical JSON (key order and whitespace do not count; every value does)."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current() -> dict[str, dict[str, str | None]]:
    out = {}
    for path in data_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        out[path.relative_to(PACKAGE).as_posix()] = {
            "version": version_of(document),
            "sha256": content_hash(document),
        }
    return out


def recorded() -> dict[str, dict[str, str | None]]:
    return json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}


def problems(now: dict[str, dict[str, str | None]], manifest: dict[str, dict[str, str | None]]) -> list[str]:
    """Every mismatch between the files and the manifest, each saying what to do."""
    out = []
    for name, entry in now.items():
        if entry["version"] is None:
            out.append(f"{name}: no `version` (every versioned data file names its version)")
            continue
        old = manifest.get(name)
        if old is None:
            out.append(
                f"{name}: not in tests/data-versions.json; record it (python -m tests.data_versions --update)"
            )
        elif old["sha256"] != entry["sha256"]:
            if old["version"] == entry["version"]:
                out.append(
                    f"{name}: content changed but its version is still {entry['version']!r}: bump `version`, "
                    "then run python -m tests.data_versions --update"
                )
            else:
                out.append(
                    f"{name}: new version {entry['version']!r} (was {old['version']!r}) not recorded; run "
                    "python -m tests.data_versions --update and commit tests/data-versions.json"
                )
        elif old["version"] != entry["version"]:
            out.append(
                f"{name}: version changed to {entry['version']!r} but the manifest says {old['version']!r}"
            )
    for name in sorted(set(manifest) - set(now)):
        out.append(f"{name}: in the manifest but gone; run python -m tests.data_versions --update")
    return out


def update() -> list[str]:
    """Write the manifest from the files; refuse (and write nothing) when content changed under a version
    the manifest already holds for that file, or a file has no version."""
    now, manifest = current(), recorded()
    refused = [
        p
        for p in problems(now, manifest)
        if "still" in p or "no `version`" in p  # these need a version bump, not a new manifest
    ]
    if refused:
        return refused
    MANIFEST.write_text(json.dumps(now, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return []


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        print(__doc__)
        sys.exit(2)
    errors = update()
    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print(f"wrote {MANIFEST.relative_to(ROOT)} ({len(current())} files)")
    sys.exit(1 if errors else 0)
