# forklore: every interpreter of a run imports this file (it sits first on
# PYTHONPATH). It loads the instrumentation shim, then runs the sitecustomize
# it shadows (Debian ships one), so the user's environment stays as it was.
import os as _os
import sys as _sys


def _forklore_boot():
    here = _os.path.dirname(_os.path.abspath(__file__))
    # Compile the shim once per run even under PYTHONDONTWRITEBYTECODE:
    # every interpreter of the run imports it, so its .pyc pays for itself.
    saved = _sys.dont_write_bytecode
    _sys.dont_write_bytecode = False
    try:
        import forklore_shim

        _sys.dont_write_bytecode = saved
        forklore_shim.install()
    except Exception as exc:  # the user's program must run even if we cannot
        try:
            _os.write(2, ("forklore: shim failed to load: %r\n" % (exc,)).encode())
        except OSError:
            pass
    finally:
        _sys.dont_write_bytecode = saved
    return here


def _forklore_chain(here):
    """Execute the next `sitecustomize` on sys.path, the one this file hides."""
    import importlib.machinery
    import importlib.util

    rest = [p for p in _sys.path if _os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_forklore_chain(_forklore_boot())
