"""Lazy patching: a multiprocessing module is patched as it is imported, and
the shim module that patches it is loaded only then (importing them all
eagerly would cost every interpreter ~20 ms)."""

import sys

from . import core

# module -> (shim module, patch function in it)
PATCHERS = {
    "multiprocessing.context": ("process", "patch_context"),
    "multiprocessing.process": ("process", "patch_process"),
    "multiprocessing.synchronize": ("sync", "patch"),
    "multiprocessing.queues": ("queues", "patch"),
    "multiprocessing.pool": ("pool", "patch"),
    "multiprocessing.managers": ("manager", "patch"),
    "multiprocessing.util": ("process", "patch_util"),
    "multiprocessing.popen_fork": ("process", "patch_popen"),
    "multiprocessing.popen_forkserver": ("process", "patch_popen"),
    "multiprocessing.forkserver": ("process", "forkserver"),
    "multiprocessing.resource_tracker": ("process", "resource_tracker"),
    "multiprocessing.spawn": ("process", "patch_spawn"),
    "multiprocessing.connection": ("pipes", "patch"),
    "multiprocessing.sharedctypes": ("shared", "patch"),
    "json": ("files", "patch_json"),
    "subprocess": ("process", "patch_subprocess"),
    "concurrent.futures.process": ("executor", "patch_process"),
    "concurrent.futures._base": ("executor", "patch_base"),
}


# Patches made BEFORE those above, in a run forklore can hold: they wrap
# multiprocessing's own functions, which the hooks above then wrap in turn
# (timeouts.py registers them).
FIRST = {}


def apply_patch(name, module):
    for shim_module, function in filter(None, (FIRST.get(name), PATCHERS.get(name))):
        try:
            patcher = getattr(sys.modules["forklore_shim"].load(shim_module), function)
            patcher(module)
        except Exception as exc:
            core.shim_error("patch " + name, exc)


class _PatchingLoader:
    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        apply_patch(self._name, module)

    def __getattr__(self, attr):
        return getattr(self._loader, attr)


class PatchFinder:
    """Meta path finder that patches multiprocessing modules as they load."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in PATCHERS and name not in FIRST:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, name)
        return spec


def install():
    sys.meta_path.insert(0, PatchFinder)
    for name in {**FIRST, **PATCHERS}:
        if name in sys.modules:
            apply_patch(name, sys.modules[name])
