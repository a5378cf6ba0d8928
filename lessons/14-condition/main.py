"""A Condition: consumers wait until the producer notifies.

Each consumer takes the Condition's lock, says it is ready and calls
wait(), which lets go of the lock and sleeps. The producer waits until
every consumer is ready, then either calls notify() once per consumer,
--pace_ms apart (each wakes exactly one waiter), or notify_all() once
(it wakes them all). A woken consumer gets the lock back before wait()
returns.
"""
import argparse
import os
import time
from multiprocessing import Condition, Process, Semaphore


def consumer(cond, ready):
    with cond:
        ready.release()  # still holding cond: the producer cannot notify yet
        print(f"consumer {os.getpid()} waits")
        cond.wait()  # lets go of the lock until notified
        print(f"consumer {os.getpid()} woke up")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--consumers", type=int, default=3,
                        help="consumer processes that wait")
    parser.add_argument("--mode", default="notify", choices=["notify", "notify_all"],
                        help="notify() once per consumer, or notify_all() once")
    parser.add_argument("--pace_ms", type=int, default=300,
                        help="milliseconds between two notify() calls")
    args = parser.parse_args()

    cond = Condition()
    ready = Semaphore(0)
    consumers = [Process(target=consumer, args=(cond, ready))
                 for _ in range(args.consumers)]
    for p in consumers:
        p.start()
    for _ in consumers:
        ready.acquire()  # a consumer is inside `with cond`, about to wait

    if args.mode == "notify_all":
        with cond:  # taking the lock means every ready consumer is waiting
            print("producer: notify_all()")
            cond.notify_all()
    else:
        for k in range(args.consumers):
            time.sleep(args.pace_ms / 1000)
            with cond:
                print(f"producer: notify() #{k + 1}")
                cond.notify()
    for p in consumers:
        p.join()
    print("every consumer woke up")


if __name__ == "__main__":
    main()
