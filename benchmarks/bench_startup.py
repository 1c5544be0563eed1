"""How long `registry --help` takes to start, against `python -c "import click"` (issue 10, target 5).

    python benchmarks/bench_startup.py [--repeat 21]
    python benchmarks/bench_startup.py --large big.db [--org 市第1局 --as-of 2000-01-01]

Each run is a fresh process; the two commands alternate, so a busy machine slows both alike,
and the figures are medians.  It also lists the heavy modules a `--help` run imports (none
should be there) and times one completion request, which starts the same way.  With
``--large FILE`` (a SQLite registry, such as ``bench_scale.py --holdings 1000000 --keep FILE``
leaves), it also times whole query commands (roster, who-held) on that registry against the
same commands on a registry of the bundled notices: a question's process should cost about the
same however large the registry (target 1.3).  It reports figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "tabulate", "wcwidth", "registry.parse", "registry.db", "registry.models",
         "pypdf", "docx", "openpyxl")


# What the installed `registry` script runs (cli.py is imported, from its compiled cache, not run as
# a script, which would compile it every time).
REGISTRY = [sys.executable, "-c", "import sys; sys.argv[0] = 'registry'; from cli import main; sys.exit(main())"]


def run(args: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def heavy_modules_on_help() -> list[str]:
    probe = ("import sys; sys.argv = ['registry', '--help']\n"
             "import cli\n"
             "try:\n    cli.cli.main(prog_name='registry')\nexcept SystemExit:\n    pass\n"
             f"print(' '.join(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split("\n")[-2].split() if out.stdout.strip() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--large", metavar="FILE", help="a large SQLite registry to ask, beside the bundled one")
    parser.add_argument("--org", default="市第1局", help="the organization asked of --large")
    parser.add_argument("--as-of", default="2000-01-01", help="the date asked of --large")
    options = parser.parse_args()

    python = sys.executable
    click_times, help_times, complete_times = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        # Compiled modules are cached (in a folder of their own), as they are for an installed
        # program, even where PYTHONDONTWRITEBYTECODE is set: both sides then load bytecode.
        plain = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        plain["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        # Completion with a registry that does not exist: it answers nothing and creates nothing.
        completing = dict(plain, _REGISTRY_COMPLETE="bash_complete", COMP_WORDS="registry roster ", COMP_CWORD="2",
                          REGISTRY_DB=str(Path(folder) / "none.db"))
        run(REGISTRY + ["--help"], env=plain)  # writes the caches
        run(REGISTRY, env=completing)
        for _ in range(options.repeat):
            click_times.append(run([python, "-c", "import click"], env=plain))
            help_times.append(run(REGISTRY + ["--help"], env=plain))
            complete_times.append(run(REGISTRY, env=completing))
    baseline = statistics.median(click_times)
    label = "python -c 'import click'"
    print(f"{label:<36} {baseline * 1000:7.1f} ms  (median of {options.repeat})")
    for label, times in (("registry --help", help_times), ("completion (registry roster <TAB>)", complete_times)):
        median = statistics.median(times)
        print(f"{label:<36} {median * 1000:7.1f} ms  ratio {median / baseline:4.2f}  (target 1.5)")
    heavy = heavy_modules_on_help()
    print("heavy modules imported by --help: " + (", ".join(heavy) if heavy else "none"))
    if options.large:
        questions(options)


def questions(options) -> None:
    """Whole query commands on a large registry against the same on the bundled notices."""
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        bundled = str(Path(folder) / "bundled.db")
        run(REGISTRY + ["--db", bundled, "init"], env=env)
        asked = {
            "roster": (["roster", "卫健委", "--as-of", "2023-02-07"], ["roster", options.org, "--as-of", options.as_of]),
            "who-held": (["who-held", "卫健委", "副主任", "--on", "2023-02-07"],
                         ["who-held", options.org, "副局长", "--on", options.as_of]),
        }
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in asked}
        for small, large in asked.values():  # once each, to warm the caches (and to fail early)
            run(REGISTRY + ["--db", bundled, *small], env=env)
            run(REGISTRY + ["--db", options.large, *large], env=env)
        for _ in range(options.repeat):
            for name, (small, large) in asked.items():
                times[name][0].append(run(REGISTRY + ["--db", bundled, *small], env=env))
                times[name][1].append(run(REGISTRY + ["--db", options.large, *large], env=env))
    for name, (small, large) in times.items():
        on_small, on_large = statistics.median(small), statistics.median(large)
        print(f"{name + ', bundled registry':<36} {on_small * 1000:7.1f} ms")
        print(f"{name + ', ' + Path(options.large).name:<36} {on_large * 1000:7.1f} ms  "
              f"ratio {on_large / on_small:4.2f}  (target 1.3)")


if __name__ == "__main__":
    main()
