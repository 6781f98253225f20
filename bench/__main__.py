"""Run the benchmark scenarios: `python -m bench [--only NAME[,NAME...]] [--list]`.

Every module in bench/ whose name does not start with an underscore is a scenario. A scenario has a
docstring, optionally `TARGETS` ({figure: (">=" or "<=", number)}), and `run() -> dict` answering
{"figures": {...}, "database": {...}, "details": {...}}. The runner adds the machine and the date, writes
bench/results/<name>.json, prints a table, and exits non-zero when a scenario fails or misses a target.
"""

import argparse
import datetime
import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from ._support import BenchError, machine

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
_COMPARE = {">=": lambda value, target: value >= target, "<=": lambda value, target: value <= target}


def discover() -> dict:
    names = sorted(
        info.name for info in pkgutil.iter_modules([str(HERE)]) if not info.name.startswith("_") and not info.ispkg
    )
    return {name: importlib.import_module(f"bench.{name}") for name in names}


def summary_of(module) -> str:
    return (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""


def check_targets(figures: dict, targets: dict) -> dict:
    verdicts = {}
    for figure, (operator, target) in targets.items():
        value = figures.get(figure)
        verdicts[figure] = {
            "target": f"{operator} {target}",
            "met": value is not None and _COMPARE[operator](value, target),
        }
    return verdicts


def run_one(name: str, module) -> dict:
    started = datetime.datetime.now().astimezone()
    clock = time.monotonic()
    outcome = module.run()
    result = {
        "name": name,
        "figures": outcome["figures"],
        "targets": check_targets(outcome["figures"], getattr(module, "TARGETS", {})),
        "machine": machine(),
        "database": outcome.get("database", {}),
        "date": started.isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - clock, 1),
        "details": outcome.get("details", {}),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return result


def format_number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_table(result: dict):
    rows = []
    for figure, value in result["figures"].items():
        verdict = result["targets"].get(figure)
        target = f"{verdict['target']}  {'ok' if verdict['met'] else 'MISSED'}" if verdict else ""
        rows.append((figure, format_number(value), target))
    widths = [max(len(row[i]) for row in [("figure", "value", "target"), *rows]) for i in range(3)]
    database = result["database"]
    print(
        f"\n{result['name']}  ({result['seconds']} s, {database.get('vendor', '?')} {database.get('version', '')}, "
        f"{result['machine']['cores']} cores)"
    )
    print(f"  {'figure':<{widths[0]}}  {'value':>{widths[1]}}  target")
    for figure, value, target in rows:
        print(f"  {figure:<{widths[0]}}  {value:>{widths[1]}}  {target}")
    print(f"  -> {(RESULTS / (result['name'] + '.json')).relative_to(HERE.parent)}")


def main(argv=None) -> int:
    scenarios = discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated scenario names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, module in scenarios.items():
            print(f"{name:16} {summary_of(module)}")
        return 0
    chosen = list(scenarios)
    if args.only:
        chosen = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in scenarios]
        if unknown:
            parser.error(f"no scenario named {', '.join(unknown)}; there are: {', '.join(scenarios)}")

    failed = []
    for name in chosen:
        print(f"== {name}: {summary_of(scenarios[name])}", flush=True)
        try:
            result = run_one(name, scenarios[name])
        except BenchError as exc:
            print(f"!! {name} could not run: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        print_table(result)
        if not all(verdict["met"] for verdict in result["targets"].values()):
            failed.append(name)
    if failed:
        print(f"\nFailed or missed a target: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
