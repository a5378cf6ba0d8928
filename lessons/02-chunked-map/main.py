"""How Pool.map hands out chunks.

Pool.map cuts range(items) into chunks; whichever worker is free takes
the next chunk. With --chunksize 0 Python picks the chunk size itself.
"""
import argparse
import functools
import time
from multiprocessing import Pool


def f(work_ms, x):
    # A little pretend work per item, so the hand-out can be watched.
    # Skipped at 0: a million sleep(0) calls would still cost time.
    if work_ms > 0:
        time.sleep(work_ms / 1000)
    return x


def default_chunksize(items, workers):
    # The rule Pool.map uses when it is given no chunksize.
    chunksize, extra = divmod(items, workers * 4)
    if extra:
        chunksize += 1
    return chunksize


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2,
                        help="Pool size (1..16)")
    parser.add_argument("--items", type=int, default=1000,
                        help="items to map (1..1000000)")
    parser.add_argument("--chunksize", type=int, default=0,
                        help="items per chunk, 0 = Python's choice")
    parser.add_argument("--work_ms", type=float, default=8.0,
                        help="ms of work per item (0..100)")
    args = parser.parse_args()

    if args.chunksize:
        print("chunksize chosen by us:", args.chunksize)
    else:
        size = default_chunksize(args.items, args.workers)
        print("chunksize chosen by Python:", size)

    task = functools.partial(f, args.work_ms)
    with Pool(args.workers) as pool:
        # `or None`: chunksize 0 means "let Pool.map pick".
        results = pool.map(task, range(args.items),
                           args.chunksize or None)

    # One result per item, in input order, whoever computed it.
    print("results:", len(results), "items, total", sum(results))


if __name__ == "__main__":
    main()
