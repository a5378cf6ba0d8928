"""JoinableQueue: join() waits until every item is task_done().

Main puts --items jobs on a JoinableQueue. Worker processes take them one
by one, work on each for --work_ms and call task_done() when finished.
Every put adds one to the queue's count of unfinished tasks, every
task_done() takes one off; main's q.join() returns when it reaches 0.
The workers are daemonic: they loop for ever and end with main.
"""
import argparse
import os
import time
from multiprocessing import JoinableQueue, Process


def worker(q, pause):
    while True:
        item = q.get()
        time.sleep(pause)  # the work on this item
        print(f"worker {os.getpid()} finished {item}")
        q.task_done()  # without this, main's join() would wait for ever


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=8, help="jobs to put")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes")
    parser.add_argument("--work_ms", type=int, default=150,
                        help="milliseconds of work per job")
    args = parser.parse_args()

    q = JoinableQueue()
    for _ in range(args.workers):
        Process(target=worker, args=(q, args.work_ms / 1000), daemon=True).start()
    for n in range(args.items):
        q.put(f"job-{n}")
    print(f"main put {args.items} jobs and waits in join()")
    q.join()  # returns once every job is task_done()
    print("join() returned: every job is done")


if __name__ == "__main__":
    main()
