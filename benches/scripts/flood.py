"""N processes each send M small events as fast as the shim's transport
takes them (its own `emit`: the ring, after a process's first events)."""
import sys
from multiprocessing import Process

try:
    from forklore_shim import core
except ImportError:  # plain python: nothing to send to
    core = None


def flood(m):
    if core is None:
        return
    emit = core.emit
    for k in range(m):
        emit("line", '"file":"flood.py","line":%d' % (k % 100))


if __name__ == "__main__":
    senders, m = int(sys.argv[1]), int(sys.argv[2])
    procs = [Process(target=flood, args=(m,)) for _ in range(senders)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
