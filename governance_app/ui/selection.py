"""The current model version, shared by every view.

Choosing ``credit_default`` version 4 anywhere (Models table, toolbar combos) makes every view
show that version. The state itself is a plain Python object with a callback list, so it can be
reasoned about and tested without Qt (napari keeps its models Qt-free the same way). Every
change happens on the GUI thread, so widgets subscribe plain callbacks and unsubscribe when they
are destroyed; no Qt signal is needed in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SelectedVersion:
    """A model and optionally one of its versions; ``version`` is ``None`` for "no version"."""

    model_name: str | None = None
    version: int | None = None


Listener = Callable[[SelectedVersion], None]


class Selection:
    """Holds the current model version and tells listeners when it changes.

    Listeners are called only on a real change, so two widgets that both set the selection
    in response to each other cannot loop.
    """

    def __init__(self) -> None:
        self._current = SelectedVersion()
        self._listeners: list[Listener] = []

    @property
    def current(self) -> SelectedVersion:
        return self._current

    @property
    def model_name(self) -> str | None:
        return self._current.model_name

    @property
    def version(self) -> int | None:
        return self._current.version

    def select(self, model_name: str | None, version: int | None = None) -> None:
        """Make ``model_name`` (and ``version`` of it) current; no model means no version."""
        new = SelectedVersion(model_name, version if model_name else None)
        if new == self._current:
            return
        self._current = new
        for listener in list(self._listeners):
            listener(new)

    def clear(self) -> None:
        self.select(None)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` on every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe
