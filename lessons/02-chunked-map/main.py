"""How Pool.map hands out chunks.

Pool.map does not send items to the workers one by one: it cuts the input
into chunks, and whichever worker is free takes the next chunk.

    python3 main.py                    # 1000 items, 2 workers -> chunks of 125
    python3 main.py --chunksize 1      # one item per chunk
    python3 main.py --items 1000000 --work_ms 0
"""
import argparse
import functools
import time
from multiprocessing import Pool


def f(work_ms, x):
    # A little pretend work per item, so the hand-out can be watched.
    # Skipped when work_ms is 0: a million sleep(0) calls would still cost time.
    if work_ms > 0:
        time.sleep(work_ms / 1000)
    return x


def default_chunksize(items, workers):
    # The same rule Pool.map uses when no chunksize is given.
    chunksize, extra = divmod(items, workers * 4)
    if extra:
        chunksize += 1
    return chunksize


def main():
    parser = argparse.ArgumentParser(description="How Pool.map hands out chunks.")
    parser.add_argument("--workers", type=int, default=2, help="Pool size (1..16)")
    parser.add_argument("--items", type=int, default=1000, help="how many items (1..1000000)")
    parser.add_argument("--chunksize", type=int, default=0,
                        help="items per chunk; 0 lets Python choose (0..100000)")
    parser.add_argument("--work_ms", type=float, default=2.0,
                        help="milliseconds of work per item (0..100)")
    args = parser.parse_args()

    if args.chunksize:
        print("chunksize chosen by us:", args.chunksize)
    else:
        print("chunksize chosen by Python:", default_chunksize(args.items, args.workers))

    with Pool(args.workers) as pool:
        # `args.chunksize or None`: 0 means "let Pool.map pick" (None).
        results = pool.map(functools.partial(f, args.work_ms), range(args.items),
                           args.chunksize or None)

    # map returns one result per item, in input order, whoever computed it.
    print("results:", len(results), "items, total", sum(results))


if __name__ == "__main__":
    main()
