"""terminate() stops a child at once; is_alive() and exitcode tell you how it went.

Two children start together: a quick one that finishes its work on its own,
and a slow one that would work for --seconds. After --wait seconds main asks
is_alive() of both, terminates the slow one (--terminate true), asks again,
joins both, asks a third time and prints their exit codes.
"""
import argparse
import os
import time
from multiprocessing import Process


def work(label, seconds):
    steps = max(1, round(seconds / 0.25))
    for k in range(steps):
        print(f"{label} PID {os.getpid()} step {k + 1} of {steps}")
        time.sleep(0.25)
    print(f"{label} PID {os.getpid()} finished")


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def report(moment, children):
    for p in children:
        print(f"{moment} {p.name} is_alive() = {p.is_alive()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long the slow child would work")
    parser.add_argument("--wait", type=float, default=0.8,
                        help="how long main lets them work before it acts")
    parser.add_argument("--terminate", type=parse_bool, default=True,
                        help="terminate the slow child: true/false")
    args = parser.parse_args()

    quick = Process(target=work, args=("quick", 0.25), name="quick")
    slow = Process(target=work, args=("slow", args.seconds), name="slow")
    children = [quick, slow]
    for p in children:
        p.start()

    time.sleep(args.wait)
    report("before:", children)
    if args.terminate:
        slow.terminate()  # sends SIGTERM and returns at once
        report("right after terminate():", children)
    for p in children:
        p.join()  # after terminate(), join() reaps the child
    report("after join():", children)
    for p in children:
        print(f"{p.name} exitcode = {p.exitcode}")


if __name__ == "__main__":
    main()
