#!/usr/bin/env python3
"""Runs the integration tests (tests/integration/test_*.py) against a built binary.

usage: run.py --binary build/plane-teams [-k PATTERN] [-j JOBS] [-v]

Every test is one unit of work (the tests of a class with a setUpClass, or of a module
with a setUpModule, are one together); JOBS units run at a time, in worker processes
(default: PT_TEST_JOBS, else 4). A test therefore must not share anything with another:
each Case works in its own temporary folder, the fakes listen on ports the system picks,
and the cards a worker records go to its own file (PT_CARD_LOG). The slowest units of
the last run (kept beside the binary, in integration-times.json) start first. The last line reads "integration: N passed, N
failed, N skipped".
"""
import argparse
import contextlib
import glob
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import unittest
from concurrent.futures import ProcessPoolExecutor, as_completed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHECKER = os.path.join(ROOT, "tools", "cardcheck", "check.js")


def check_cards(path, filtered):
    """Every card the suite made goes through Microsoft's renderer and the 1.2 schema."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        print("cardcheck: no card was produced" + (" by the selected tests" if filtered else ""))
        return 0 if filtered else 1
    if not shutil.which("node") or not os.path.isdir(os.path.join(ROOT, "tools", "cardcheck", "node_modules")):
        print("cardcheck: Node or tools/cardcheck/node_modules is missing: run 'make deps'")
        return 1
    return subprocess.run(["node", CHECKER, path]).returncode


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def shares_fixtures(cls):
    """A class whose tests share a setUpClass or setUpModule runs as one unit."""
    module = sys.modules.get(cls.__module__)
    return (cls.setUpClass.__func__ is not unittest.TestCase.setUpClass.__func__
            or cls.tearDownClass.__func__ is not unittest.TestCase.tearDownClass.__func__
            or hasattr(module, "setUpModule") or hasattr(module, "tearDownModule"))


def units(suite):
    """{unit name: [test ids]} in discovery order: each test is a unit, except the tests
    of a class with shared fixtures, which are one. Also the tests that stand for a
    module that failed to import (unittest's _FailedTest), which only report that."""
    out, broken = {}, []
    for t in flatten(suite):
        cls = type(t)
        if cls.__module__ == "unittest.loader":
            broken.append(t)
            continue
        name = f"{cls.__module__}.{cls.__qualname__}" if shares_fixtures(cls) else t.id()
        out.setdefault(name, []).append(t.id())
    return out, broken


def report_broken(tests):
    """The import errors of test modules, as failed units."""
    out = []
    for t in tests:
        result = unittest.TestResult()
        t.run(result)
        out.append({"name": t.id(), "run": 1, "printed": "", "skipped": 0, "seconds": 0.0, "log": "",
                    "failed": [(t.id(), text) for _, text in result.failures + result.errors]})
    return out


def run_unit(name, ids, cards, verbose):
    """In a worker: run one class's tests; the cards they make go to their own file."""
    os.environ["PT_CARD_LOG"] = cards
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    try:
        suite.addTests(loader.loadTestsFromName(i) for i in ids)
    except Exception:  # noqa: BLE001 - an import error is reported as the unit's failure
        import traceback
        return {"name": name, "run": 0, "failed": [(name, traceback.format_exc())], "skipped": 0, "printed": "",
                "seconds": 0.0, "log": ""}
    stream, printed = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(printed):  # what a test prints comes back with its result
        result = unittest.TextTestRunner(stream=stream, verbosity=2 if verbose else 0).run(suite)
    seconds = time.monotonic() - start
    failed = [(str(t), text) for t, text in result.failures + result.errors]
    failed += [(str(t), "unexpected success") for t in result.unexpectedSuccesses]
    return {"name": name, "run": result.testsRun, "printed": printed.getvalue().strip(), "failed": failed, "skipped": len(result.skipped),
            "seconds": seconds, "log": stream.getvalue() if verbose else ""}


def load_times(path):
    try:
        with open(path, encoding="utf-8") as f:
            return {k: float(v) for k, v in json.load(f).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("-k", dest="pattern", action="append", default=None)
    ap.add_argument("-j", dest="jobs", type=int, default=int(os.environ.get("PT_TEST_JOBS") or 4))
    ap.add_argument("-v", dest="verbose", action="store_true")
    args = ap.parse_args()
    os.environ["PT_BINARY"] = os.path.abspath(args.binary)
    out_dir = os.path.dirname(os.path.abspath(args.binary))
    cards = os.path.join(out_dir, "cards.jsonl")
    parts = os.path.join(out_dir, "cards.d")
    shutil.rmtree(parts, ignore_errors=True)
    os.makedirs(parts)
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{p}*" for p in args.pattern]
    work, broken = units(loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE))
    times_file = os.path.join(out_dir, "integration-times.json")
    times = load_times(times_file)
    # the slowest first (unknown ones count as slow), so that no long class starts last
    order = sorted(work, key=lambda n: -times.get(n, 1e9))
    jobs = max(1, min(args.jobs, len(order) or 1))
    start = time.monotonic()
    results = report_broken(broken)
    for r in results:
        print(f"  FAIL {r['name']} (cannot be imported)", flush=True)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run_unit, n, work[n], os.path.join(parts, f"{i:03d}.jsonl"), args.verbose): n
                   for i, n in enumerate(order)}
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except Exception as e:  # noqa: BLE001 - a worker that died (os._exit, a signal) fails its unit
                r = {"name": futures[fut], "run": len(work[futures[fut]]), "printed": "", "skipped": 0,
                     "seconds": 0.0, "log": "", "failed": [(futures[fut], f"the worker process failed: {e!r}")]}
            results.append(r)
            mark = "FAIL" if r["failed"] else "ok"
            if r["failed"] or args.verbose:
                print(f"  {mark:4} {r['name']} ({r['run']} tests, {r['seconds']:.1f} s)", flush=True)
            if r["printed"]:
                print(f"  {r['name']}: {r['printed']}", flush=True)
            if r["log"]:
                print(r["log"], end="", flush=True)
    wall = time.monotonic() - start
    for r in results:
        for test, text in r["failed"]:
            print("=" * 70 + f"\nFAIL: {test}\n" + "-" * 70 + f"\n{text}")
    with open(cards, "w", encoding="utf-8") as out:
        for part in sorted(glob.glob(os.path.join(parts, "*.jsonl"))):
            with open(part, encoding="utf-8") as f:
                shutil.copyfileobj(f, out)
    shutil.rmtree(parts, ignore_errors=True)
    if not args.pattern:  # a full run: the times of today's units only
        times = {r["name"]: round(r["seconds"], 2) for r in results}
        with open(times_file, "w", encoding="utf-8") as f:
            json.dump(times, f, indent=1, sort_keys=True)
    ran = sum(r["run"] for r in results)
    failed = sum(len(r["failed"]) for r in results)
    skipped = sum(r["skipped"] for r in results)
    passed = max(0, ran - skipped - failed)
    slowest = sorted(results, key=lambda r: -r["seconds"])[:5]
    print(f"ran {ran} tests, {jobs} at a time, in {wall:.1f} s; slowest: "
          + ", ".join(f"{r['name'].split('.')[-1]} {r['seconds']:.1f} s" for r in slowest))
    cards_ok = check_cards(cards, bool(args.pattern)) == 0
    print(f"integration: {passed} passed, {failed} failed, {skipped} skipped"
          f"{'' if cards_ok else '; cards failed the Adaptive Cards check'}")
    return 0 if failed == 0 and ran > 0 and cards_ok else 1


if __name__ == "__main__":
    sys.exit(main())
