#!/usr/bin/env python3
"""Regenerates connector/forge/openapi.json from connector/forge/openapi.yaml (the source of truth).

The C++ tests and the emulator's schema checks read the JSON twin because casebridge's C++
dependencies include no YAML parser. Usage:

    python3 connector/forge/openapi_json.py           # rewrite openapi.json
    python3 connector/forge/openapi_json.py --check   # exit 1 when openapi.json is stale

Exit code 77 when PyYAML (Debian: python3-yaml) is not installed, so callers can skip.
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(argv):
    try:
        import yaml  # noqa: PLC0415 (optional dependency)
    except ImportError:
        print("PyYAML is not installed (Debian: apt-get install python3-yaml)", file=sys.stderr)
        return 77
    source = HERE / "openapi.yaml"
    target = HERE / "openapi.json"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run python3 {pathlib.Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
