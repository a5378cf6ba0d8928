"""A shared Value('i') counter: P processes each add 1 N times under its lock.

    value_counter.py P N      (prints P*N)
"""
import sys
from multiprocessing import Process, Value


def add(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


if __name__ == "__main__":
    procs, n = int(sys.argv[1]), int(sys.argv[2])
    v = Value("i", 0)
    workers = [Process(target=add, args=(v, n)) for _ in range(procs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(v.value)
