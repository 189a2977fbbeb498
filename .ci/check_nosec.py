#!/usr/bin/env python3
"""Every ``# nosec`` in the plugin is explained: in the code and in docs/security*.md.

bandit (``make security``) fails the build on a finding; a finding that is a false
positive is silenced on its line with ``# nosec B123 # why it is safe``. This check
makes sure each silencing names the check it silences, gives its reason, and is listed
(path and check id on one line) in the security documentation, so a reviewer sees it.

    python .ci/check_nosec.py [source_dir] [docs_dir]     # defaults: lms docs
"""
from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)", re.IGNORECASE)
EXPLAINED = re.compile(r":?\s*(?P<ids>B\d{3}(?:\s*,\s*B\d{3})*)\s*#\s*(?P<reason>\S.*)$")


def nosec_comments(source_dir: Path):
    """(path relative to the root, line, comment) of every comment that mentions nosec."""
    for path in sorted(source_dir.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError):
            continue  # bandit reports files it cannot parse
        for token in tokens:
            if token.type == tokenize.COMMENT and NOSEC.search(token.string):
                try:
                    name = path.resolve().relative_to(ROOT).as_posix()
                except ValueError:
                    name = path.as_posix()
                yield name, token.start[0], token.string


def problems(source_dir: Path, docs_dir: Path) -> list[str]:
    """What is wrong, one line each; empty when every nosec is explained and listed."""
    docs = [line for doc in sorted(docs_dir.glob("security*.md"))
            for line in doc.read_text(encoding="utf-8").splitlines()]
    found = []
    for name, line, comment in nosec_comments(source_dir):
        match = EXPLAINED.match(NOSEC.search(comment).group("rest"))
        if match is None:
            found.append(f"{name}:{line}: '{comment.strip()}' must read '# nosec B123 # why it is safe'")
            continue
        for check in re.findall(r"B\d{3}", match.group("ids")):
            if not any(name in doc_line and check in doc_line for doc_line in docs):
                found.append(f"{name}:{line}: {check} is silenced but not listed in {docs_dir}/security*.md "
                             f"(a line naming {name} and {check}, with the reason)")
    return found


def main(argv: list[str]) -> int:
    source_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "lms"
    docs_dir = Path(argv[2]) if len(argv) > 2 else ROOT / "docs"
    found = problems(source_dir, docs_dir)
    for message in found:
        print(message, file=sys.stderr)
    if found:
        print(f"{len(found)} unexplained '# nosec'", file=sys.stderr)
        return 1
    print("every '# nosec' is explained and listed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
