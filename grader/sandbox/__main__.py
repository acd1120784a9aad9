"""``python -m grader.sandbox --check|--protect [PATH ...]``."""

from __future__ import annotations

import sys

from grader.sandbox.account import exposed_to, protect, sandbox_account, secret_paths


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.sandbox --check|--protect [PATH ...]``: as root, report (or make)
    the grader, the solutions, the catalog and PATHs unreadable by the sandbox user."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("--check", "--protect"):
        print(
            "Make the grader's files unreadable to the sandbox user.\n"
            "usage: python -m grader.sandbox --check|--protect [PATH ...]",
            file=sys.stderr,
        )
        return 2
    account = sandbox_account()
    if account is None:
        print("not root: the child runs as your own user; nothing to check", file=sys.stderr)
        return 0
    secrets = secret_paths(tuple(args[1:]))
    if args[0] == "--protect":
        for path in protect(secrets):
            print(f"made unreadable to other users: {path}")
    exposed = exposed_to(account, secrets)
    for path in exposed:
        print(f"READABLE by {account.name}: {path}", file=sys.stderr)
    if not exposed:
        print(f"unreadable by {account.name}: " + ", ".join(secrets))
    return 1 if exposed else 0


if __name__ == "__main__":
    sys.exit(main())
