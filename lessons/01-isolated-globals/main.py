"""Each process has its own globals.

A Pool worker appends to the module-level list `pageList`, but it appends to
the copy that lives inside that worker process. The parent's list stays empty
unless the data is sent back on purpose (--fix return or --fix manager).

    python3 main.py                      # parent ends with 0 items
    python3 main.py --fix return         # parent ends with --items items
    python3 main.py --start_method spawn # children re-import this file
"""
import argparse
import functools
import multiprocessing
import os
from multiprocessing import Manager, Pool

# Every process has its own copy of this list. Under "spawn" each child runs
# this file again from the top, so the line below runs again in each child;
# the print shows when that happens (__name__ is then "__mp_main__").
pageList = []
print("main.py loaded as", __name__, "in pid", os.getpid())


def worker(item):
    # Changes the pageList of THIS worker process only.
    pageList.append(item)


def worker_returns(item):
    # Fix 1: send the item back; Pool.map carries return values to the parent.
    return item


def worker_shared(shared, item):
    # Fix 2: `shared` is a proxy; append() becomes a request to the Manager
    # process, which holds the one real list that everybody sees.
    shared.append(item)


def main():
    global pageList
    parser = argparse.ArgumentParser(description="Each process has its own globals.")
    parser.add_argument("--items", type=int, default=1000, help="how many items to map (1..100000)")
    parser.add_argument("--workers", type=int, default=2, help="Pool size (1..16)")
    parser.add_argument("--fix", choices=["none", "return", "manager"], default="none",
                        help="how the items get back to the parent")
    parser.add_argument("--start_method", choices=["fork", "spawn", "forkserver"], default="fork",
                        help="how child processes are created")
    args = parser.parse_args()

    # Must be chosen once, before any process or Pool is created.
    multiprocessing.set_start_method(args.start_method)

    if args.fix == "none":
        with Pool(args.workers) as pool:
            pool.map(worker, range(args.items))
        # Nothing was sent back: the appends happened in the workers' copies.
    elif args.fix == "return":
        with Pool(args.workers) as pool:
            results = pool.map(worker_returns, range(args.items))
        pageList = results  # map returns the values in input order
    else:
        # Start the Manager before the Pool, so the workers are created while
        # their pageList is still the plain empty list.
        with Manager() as manager, Pool(args.workers) as pool:
            pageList = manager.list()  # the real list lives in the Manager process
            pool.map(functools.partial(worker_shared, pageList), range(args.items))
            pageList = list(pageList)  # copy it out before the Manager shuts down

    print("parent pageList length:", len(pageList))


if __name__ == "__main__":
    main()
