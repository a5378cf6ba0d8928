"""Each process has its own globals.

Pool workers append to the module-level list `pageList`, each to the copy
inside its own process, so the parent's list stays empty, unless the data
is sent back on purpose (--fix return, --fix manager).
"""
import argparse
import functools
import multiprocessing
import os
import time
from multiprocessing import Manager, Pool

# Every process has its own copy of this list. Under spawn or forkserver
# a child runs this file again from the top (as "__mp_main__"), so these
# two lines run again there: the print shows it.
pageList = []
print("main.py loaded as", __name__, "in pid", os.getpid())


def pretend_work():
    # A moment of work per item, so the lists visibly grow (slow motion
    # in forklore stretches it further).
    time.sleep(0.002)


def worker(item):
    pretend_work()
    # Changes the pageList of THIS worker process only.
    pageList.append(item)


def worker_returns(item):
    pretend_work()
    # Fix 1: send the item back; Pool.map carries it to the parent.
    return item


def worker_shared(shared, item):
    pretend_work()
    # Fix 2: `shared` is a proxy. append() is a request to the Manager
    # process, which holds the one real list that everybody sees.
    shared.append(item)


def main():
    global pageList
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000,
                        help="items to map (1..100000)")
    parser.add_argument("--workers", type=int, default=2,
                        help="Pool size (1..16)")
    parser.add_argument("--fix", default="none",
                        choices=["none", "return", "manager"],
                        help="how the items get back to the parent")
    parser.add_argument("--start_method", default="fork",
                        choices=["fork", "spawn", "forkserver"],
                        help="how child processes are created")
    args = parser.parse_args()

    # Chosen once, before any child process exists.
    multiprocessing.set_start_method(args.start_method)

    if args.fix == "none":
        with Pool(args.workers) as pool:
            pool.map(worker, range(args.items))
        # Nothing comes back: the appends happened in the workers' copies.
    elif args.fix == "return":
        with Pool(args.workers) as pool:
            pageList = pool.map(worker_returns, range(args.items))
    else:
        # The Manager starts before the Pool, so the workers begin with
        # their own plain, empty pageList, as in the other cases.
        with Manager() as manager, Pool(args.workers) as pool:
            pageList = manager.list()  # the real list is in the Manager
            task = functools.partial(worker_shared, pageList)
            pool.map(task, range(args.items))
            pageList = list(pageList)  # copy out before the Manager stops

    print("parent pageList length:", len(pageList))


if __name__ == "__main__":
    main()
