"""A Queue for many writers and readers; a Pipe for a conversation of two.

Part 1: --writers processes put --messages messages each on one Queue and
--readers processes take them: any reader may get any message, but each
message is taken exactly once, and one writer's messages leave in the
order it put them. Part 2: main and one child talk over a Pipe: main
sends "ping n" on its end, the child answers "pong n" on the other.
"""
import argparse
import os
import time
from multiprocessing import Pipe, Process, Queue


def writer(q, w, messages, pause):
    for i in range(messages):
        q.put(f"w{w}-{i}")
        time.sleep(pause)


def reader(q):
    got = []
    while (msg := q.get()) is not None:  # None: no more messages
        got.append(msg)
    print(f"reader {os.getpid()} got {got}")


def answerer(conn, rounds):
    for _ in range(rounds):
        ping = conn.recv()
        conn.send(ping.replace("ping", "pong"))
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=2, help="processes putting")
    parser.add_argument("--readers", type=int, default=2, help="processes getting")
    parser.add_argument("--messages", type=int, default=4,
                        help="messages each writer puts")
    parser.add_argument("--rounds", type=int, default=3, help="ping-pong rounds")
    parser.add_argument("--pace_ms", type=int, default=60,
                        help="milliseconds between two messages of a writer")
    args = parser.parse_args()
    pause = args.pace_ms / 1000

    # Part 1: many writers, many readers, one Queue.
    q = Queue()
    writers = [Process(target=writer, args=(q, w, args.messages, pause))
               for w in range(args.writers)]
    readers = [Process(target=reader, args=(q,)) for _ in range(args.readers)]
    for p in writers + readers:
        p.start()
    for p in writers:
        p.join()
    for _ in readers:
        q.put(None)  # one stop sign per reader
    for p in readers:
        p.join()

    # Part 2: a Pipe has two ends, one per process.
    mine, theirs = Pipe()
    child = Process(target=answerer, args=(theirs, args.rounds))
    child.start()
    for n in range(args.rounds):
        mine.send(f"ping {n}")
        print(f"main {os.getpid()} got {mine.recv()!r}")
        time.sleep(pause)
    child.join()


if __name__ == "__main__":
    main()
