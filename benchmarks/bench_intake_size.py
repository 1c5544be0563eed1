"""How long intake takes, and how much memory it needs, for oversized notice texts.

Each case writes a text of the given size (and, with --just-under, one just under
registry.text.MAX_NOTICE_BYTES), runs ``registry add-notice FILE --dry-run`` on an
empty registry in a fresh process, and reports the wall time, the peak resident memory (the
child's ru_maxrss) and the answer.  It asserts nothing: figures only.

    python benchmarks/bench_intake_size.py --megabytes 20 --just-under
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEAD = (
    "林芝市人民政府\n关于干部任免的通知\n\n林政发〔2023〕30号\n\n各县（区）人民政府，市各委、办、局：\n\n"
    "经中共林芝市人民政府党组研究，决定：\n\n"
)
TAIL = "\n\n林芝市人民政府\n\n2023年3月1日\n"


def cases(size: int) -> dict[str, str]:
    def fill(unit: str) -> str:
        return unit * (size // len(unit.encode("utf-8")) + 1)

    return {
        "clauses (a valid clause repeated)": HEAD + fill("格桑任市水利局副局长；") + TAIL,
        "one clause without boundaries": HEAD + fill("格桑任市水利局副局长") + TAIL,
        "ASCII punctuation and full stops": HEAD + fill("Gesang任市水利局副局长.") + TAIL,
        "line breaks after 职务": HEAD + fill("免去扎西的市水利局副局长职务\n") + TAIL,
        "text with no number": fill("任命任命任命任命，"),
    }


# The CLI in a process that reports its own peak resident memory (VmHWM, in kB) as the last line
# on stderr.  (ru_maxrss would count the parent's memory at the fork.)
MEASURED = (
    "import re, sys\n"
    "sys.argv = ['registry', *sys.argv[1:]]\n"
    "from cli import cli\n"
    "try:\n"
    "    cli()\n"
    "finally:\n"
    "    status = open('/proc/self/status').read()\n"
    "    print(re.search(r'VmHWM:\\s*(\\d+)', status)[1], file=sys.stderr)\n"
)


def run(label: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.txt"
        path.write_bytes(text.encode("utf-8"))
        db = Path(folder) / "registry.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "cli", "--db", str(db), "init", "--empty"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", MEASURED, "--db", str(db), "add-notice", str(path), "--dry-run"],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        *messages, peak = result.stderr.strip().splitlines()
        answer = (messages or ["(no message)"])[-1][:160]
        print(f"{label}: {path.stat().st_size / 1e6:.1f} MB in {seconds:.2f} s, peak memory "
              f"{int(peak) / 1024:.0f} MB, exit {result.returncode}\n    {answer}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--just-under", action="store_true", help="also run each case just under the size limit")
    args = parser.parse_args()
    for label, text in cases(int(args.megabytes * 1_000_000)).items():
        run(label, text)
    if args.just_under:
        from registry.text import MAX_NOTICE_BYTES

        for label, text in cases(MAX_NOTICE_BYTES - 2_000).items():
            run(f"{label}, just under the limit", text)


if __name__ == "__main__":
    main()
