"""Prints numbered lines as fast as it can for S seconds (output pressure).

    print_flood.py S
"""
import sys
import time

if __name__ == "__main__":
    end = time.monotonic() + float(sys.argv[1])
    i = 0
    while time.monotonic() < end:
        # Check the clock once per 1,000 lines so printing dominates.
        for _ in range(1000):
            print("line", i)
            i += 1
    print("lines", i, file=sys.stderr)
