"""Watched module globals of the script (`--watch NAME`): each process's
own copy, reported as a `var` event whenever it changed."""

import sys

from . import core

VAR_REPR_MAX = 160


def _fingerprint(value):
    if isinstance(value, (list, dict, set, tuple, str, bytes, bytearray)):
        return (id(value), len(value))
    if value is None or isinstance(value, (int, float, bool)):
        return (type(value), value)
    return (id(value),)


def _describe(value):
    fields = {"repr": core.safe_repr(value, VAR_REPR_MAX), "len": None}
    if isinstance(value, (list, tuple, str, bytes, bytearray, dict, set)):
        fields["len"] = len(value)
        if isinstance(value, (list, tuple)) and value:
            fields["first"] = core.safe_repr(value[0])
            fields["last"] = core.safe_repr(value[-1])
    return fields


def check(frame=None):
    """Report watched globals of the script whose value changed (a
    prelude: `frame` is not needed)."""
    state = core.STATE
    main = sys.modules.get("__main__")
    if main is None or state.in_var_check:
        return
    state.in_var_check = True
    try:
        namespace = vars(main)
        marks = state.var_marks
        for name in core.WATCH:
            if name not in namespace:
                continue
            value = namespace[name]
            mark = _fingerprint(value)
            if marks.get(name) == mark:
                continue
            marks[name] = mark
            core.emit("var", core.fields(name=name, **_describe(value)))
    except Exception as exc:
        core.shim_error("watch", exc)
    finally:
        state.in_var_check = False


def install():
    core.add_prelude(check)
