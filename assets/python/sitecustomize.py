# forklore: every interpreter of a run imports this file (it sits first on
# PYTHONPATH). Kept tiny: Python compiles it anew each time, while the
# forklore_shim package's bytecode is cached.
import sys

_saved = sys.dont_write_bytecode
sys.dont_write_bytecode = False  # cache the shim's bytecode even so
try:
    import forklore_shim
except Exception as exc:  # the user's program must run even if we cannot
    forklore_shim = None
    sys.stderr.write("forklore: shim failed to load: %r\n" % (exc,))
finally:
    sys.dont_write_bytecode = _saved
if forklore_shim is not None:
    forklore_shim.boot(__file__, _saved)
