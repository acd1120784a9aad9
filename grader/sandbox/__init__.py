"""How the child process is confined: bubblewrap where it runs; otherwise (as root) another user,
seccomp, Landlock and cgroups; rlimits everywhere.

Where bubblewrap is not available the child still runs with rlimits, and ``Isolation.reduced``
says so. The modules, each one job:

- ``limits``: the resource limits and the process bound they come to;
- ``process``: the limits applied in the forked child; the parent's own hardening;
- ``bubblewrap``: the bubblewrap command line and the child's environment;
- ``account``: the sandbox user, the secrets it must not read, the confinement policy;
- ``cgroups``: the pids and memory cgroups of one child;
- ``isolation``: what a run actually had, as reported in the results;
- ``__main__``: ``python -m grader.sandbox --check|--protect`` for installers.

The names callers use are re-exported here; call them through this package
(``sandbox.find_bwrap()``), so that a test can replace one.
"""

from grader.sandbox.account import (
    PREIMPORT,
    SANDBOX_USER,
    SANDBOX_USER_ENV,
    SECRET_PATHS_ENV,
    Account,
    confine_policy,
    exposed_to,
    module_level_imports,
    protect,
    sandbox_account,
    secret_paths,
    unreadable_runtime,
)
from grader.sandbox.bubblewrap import (
    SANDBOX_ROOT,
    bwrap_command,
    bwrap_features,
    child_env,
    find_bwrap,
)
from grader.sandbox.cgroups import (
    CGROUP_PREFIX,
    ChildCgroups,
    PidsCgroup,
    cgroup_parent,
    pids_cgroup_parent,
)
from grader.sandbox.isolation import Isolation, describe
from grader.sandbox.limits import Limits, nproc_limit
from grader.sandbox.process import apply_limits, harden_parent

__all__ = [
    "CGROUP_PREFIX",
    "PREIMPORT",
    "SANDBOX_ROOT",
    "SANDBOX_USER",
    "SANDBOX_USER_ENV",
    "SECRET_PATHS_ENV",
    "Account",
    "ChildCgroups",
    "Isolation",
    "Limits",
    "PidsCgroup",
    "apply_limits",
    "bwrap_command",
    "bwrap_features",
    "cgroup_parent",
    "child_env",
    "confine_policy",
    "describe",
    "exposed_to",
    "find_bwrap",
    "harden_parent",
    "module_level_imports",
    "nproc_limit",
    "pids_cgroup_parent",
    "protect",
    "sandbox_account",
    "secret_paths",
    "unreadable_runtime",
]
