"""Why lines from several processes garble, and how a Lock fixes it.

In a terminal, Python 3 line-buffers stdout: one print() collects its
whole line and hands it to the OS in ONE write, so whole lines from
several processes do not mix. A line garbles when it leaves in pieces:
printed bit by bit with flush=True (as progress output is, here), with
end="" and a flush, under `python3 -u` (every value, space and newline is
its own write), when it is longer than the 8 KB the text layer collects,
or when stdout is a file or a pipe (Python then writes about every 8 KB,
wherever a line happens to be cut). Between two pieces of one line
another process may write, and its text lands in the middle.

Here every process prints progress lines: its PID and the line's number,
then a dot for each step of work, then "done", each piece flushed at
once. With --lock true a process holds a Lock for its whole line.
"""
import argparse
import contextlib
import os
import time
from multiprocessing import Event, Lock, Process

STEPS = 3  # dots per line: one per step of work


def talk(go, lock, lines):
    # Wait for the starting signal, so everybody prints at the same time.
    go.wait()
    # With a lock, one process at a time prints a line and the others
    # wait in acquire(). Without one, nullcontext() guards nothing.
    guard = lock if lock is not None else contextlib.nullcontext()
    for k in range(lines):
        with guard:
            # The line leaves in pieces: each print(..., flush=True) is
            # one write, and the work between them lets others write too.
            print("Pid:", os.getpid(), "LoopCount:", k, end=" ", flush=True)
            for _ in range(STEPS):
                time.sleep(0.001)  # a step of work
                print(".", end="", flush=True)
            print(" done", flush=True)


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=5,
                        help="printing processes (1..16)")
    parser.add_argument("--lines", type=int, default=10,
                        help="lines per process (1..1000)")
    parser.add_argument("--lock", type=parse_bool, default=False,
                        help="hold a Lock around each whole line: true/false")
    args = parser.parse_args()

    go = Event()
    lock = Lock() if args.lock else None
    procs = [Process(target=talk, args=(go, lock, args.lines))
             for _ in range(args.processes)]
    for p in procs:
        p.start()
    go.set()  # everybody starts printing now
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
