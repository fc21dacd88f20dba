"""Finding the DataFrames a cell created or changed, for the ``dataframes`` event.

pandas and polars DataFrames are recognised by their class (a class named ``DataFrame`` defined in
a module under ``pandas`` or ``polars``, or a subclass of one), without importing either library.
Other table types can be added with :func:`register_dataframe_type`; an instance must support
``len()`` (its row count) and should have ``shape`` (rows, columns) or ``columns``::

    from trackside_kernel.dataframes import register_dataframe_type
    register_dataframe_type(MyTable)
"""

_registered = []
_LIBRARIES = ("pandas", "polars")


def register_dataframe_type(cls):
    """Makes instances of ``cls`` (and its subclasses) count as DataFrames. Returns ``cls``."""
    if not isinstance(cls, type):
        raise TypeError("register_dataframe_type expects a class, got %r" % (cls,))
    if cls not in _registered:
        _registered.append(cls)
    return cls


def is_dataframe(value):
    cls = type(value)
    for base in cls.__mro__:
        module = getattr(base, "__module__", "") or ""
        if base.__name__ == "DataFrame" and module.split(".")[0] in _LIBRARIES:
            return True
    return any(isinstance(value, registered) for registered in _registered)


def describe(value):
    """(rows, columns) of a DataFrame-like value, or None when it cannot say."""
    try:
        shape = getattr(value, "shape", None)
        if isinstance(shape, tuple) and len(shape) >= 2:
            return int(shape[0]), int(shape[1])
        rows = len(value)
        columns = getattr(value, "columns", None)
        return int(rows), (len(columns) if columns is not None else None)
    except Exception:  # noqa: BLE001 - a broken __len__ must not break the kernel
        return None


class DataFrameTracker:
    """Remembers each top-level DataFrame's identity and shape between cells."""

    def __init__(self):
        self._known = {}

    def changes(self, namespace):
        """The DataFrames that are new, rebound or reshaped since the last call, by name."""
        found = {}
        for name, value in list(namespace.items()):
            if name.startswith("_") or not is_dataframe(value):
                continue
            shape = describe(value)
            if shape is not None:
                found[name] = (id(value), shape)
        changed = []
        for name, (identity, (rows, columns)) in found.items():
            if self._known.get(name) != (identity, (rows, columns)):
                changed.append({"name": name, "rows": rows, "columns": columns})
        self._known = found
        return changed
