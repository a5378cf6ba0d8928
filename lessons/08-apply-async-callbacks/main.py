"""apply blocks; apply_async returns at once, and its callbacks run in main.

Pool.apply(f, args) sends one task and waits for its result: tasks run
one after another. Pool.apply_async returns at once, so tasks run side by
side on the workers; when one finishes, its callback (or error_callback,
if it raised) runs in the MAIN process, in the Pool's result-handler
thread, not in the worker that ran the task.
"""
import argparse
import os
import threading
import time
from multiprocessing import Pool


def work(n, seconds, fail):
    time.sleep(seconds)
    if n == fail:
        raise ValueError(f"task {n} failed on purpose")
    return n * n


def on_result(value):
    print(f"callback got {value} in PID {os.getpid()}, "
          f"thread {threading.current_thread().name}")


def on_error(exc):
    print(f"error_callback got {exc!r} in PID {os.getpid()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", default="apply_async", choices=["apply", "apply_async"],
                        help="how main hands out the tasks")
    parser.add_argument("--tasks", type=int, default=6, help="tasks to run")
    parser.add_argument("--workers", type=int, default=3, help="worker processes")
    parser.add_argument("--task_ms", type=int, default=300,
                        help="milliseconds each task takes")
    parser.add_argument("--fail", type=int, default=4,
                        help="the task that raises (-1: none)")
    args = parser.parse_args()
    seconds = args.task_ms / 1000

    print(f"main is PID {os.getpid()}")
    start = time.monotonic()
    with Pool(args.workers) as pool:
        if args.mode == "apply":
            for n in range(args.tasks):
                try:  # apply waits: the result (or the exception) comes back here
                    pool.apply(work, (n, seconds, args.fail))
                except ValueError as exc:
                    print(f"apply raised {exc!r} in main")
        else:
            pending = [pool.apply_async(work, (n, seconds, args.fail),
                                        callback=on_result, error_callback=on_error)
                       for n in range(args.tasks)]
            print(f"apply_async returned {len(pending)} results at once")
            for result in pending:
                result.wait()
    print(f"{args.tasks} tasks took {time.monotonic() - start:.1f} s with {args.mode}")


if __name__ == "__main__":
    main()
