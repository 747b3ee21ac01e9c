#!/usr/bin/env python3
"""Runs the integration tests (tests/integration/test_*.py) against a built binary.

usage: run.py --binary build/plane-teams [-k PATTERN] [-v]
"""
import argparse
import os
import shutil
import subprocess
import sys
import unittest

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("-k", dest="pattern", action="append", default=None)
    ap.add_argument("-v", dest="verbose", action="store_true")
    args = ap.parse_args()
    os.environ["PT_BINARY"] = os.path.abspath(args.binary)
    cards = os.path.join(os.path.dirname(os.path.abspath(args.binary)), "cards.jsonl")
    open(cards, "w").close()
    os.environ["PT_CARD_LOG"] = cards
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{p}*" for p in args.pattern]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2 if args.verbose else 1).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    cards_ok = check_cards(cards, bool(args.pattern)) == 0
    print(f"integration: {passed} passed, {failed} failed, {len(result.skipped)} skipped"
          f"{'' if cards_ok else '; cards failed the Adaptive Cards check'}")
    return 0 if failed == 0 and result.testsRun > 0 and cards_ok else 1


if __name__ == "__main__":
    sys.exit(main())
