"""A Pool can replace its workers: maxtasksperchild.

Pool(workers, maxtasksperchild=N) retires a worker process after it has
done N tasks and starts a fresh one in its place, so worker PIDs come and
go. Each task here reports the PID that ran it; main counts them at the end.
--max 0 means no limit: the same workers do every task.
"""
import argparse
import os
import time
from collections import Counter
from functools import partial
from multiprocessing import Pool


def task(n, pause):
    time.sleep(pause)  # a little work, so the hand-out is visible
    return n, os.getpid()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes in the Pool at any time")
    parser.add_argument("--tasks", type=int, default=12,
                        help="how many tasks to run")
    parser.add_argument("--max", type=int, default=3,
                        help="maxtasksperchild (0: no limit)")
    parser.add_argument("--work_ms", type=int, default=50,
                        help="milliseconds of work per task")
    args = parser.parse_args()

    limit = args.max or None
    with Pool(args.workers, maxtasksperchild=limit) as pool:
        # chunksize=1: every item is one task, counted against the limit.
        work = partial(task, pause=args.work_ms / 1000)
        results = pool.map(work, range(args.tasks), chunksize=1)

    per_pid = Counter(pid for _, pid in results)
    print("maxtasksperchild:", limit)
    print("distinct worker PIDs:", len(per_pid))
    for pid, done in per_pid.items():
        print("  PID", pid, "ran", done, "tasks")


if __name__ == "__main__":
    main()
