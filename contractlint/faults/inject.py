"""Patching the service's functions, and deciding at each call whether it fails.

One wrapper per function, made once and reused: a wrapper that something else captured (a
``monkeypatch`` that saved it and puts it back later) is then still ours, and it only passes calls
through when no plan is active. The wrappers ask one process-wide ``Board`` what to do, because the
patches themselves are process-wide: the plans on it (the plugin's, the ``contract_faults``
fixture's) decide whether a call raises, and its listeners hear of every call.

Only the outermost patched call counts: ``check_capability()`` calling ``client.check()`` is one
call to the service, made where the consumer called ``check_capability``. A context variable keeps
that true across threads and asyncio tasks.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
import types
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

from contractlint.faults.targets import Target

_INSIDE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "contractlint_faults_inside", default=False
)


@dataclass(frozen=True)
class Site:
    """Where a patched function was called from: the first frame outside the service's client
    library."""

    path: str
    line: int
    function: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Call:
    """One call of a patched function, as the board saw it."""

    target: Target
    site: Site
    #: The error raised instead of calling through, and the contract's name for it; None: called
    #: through.
    error: BaseException | None = None
    error_name: str = ""


class Board:
    """What the wrappers ask: a stack of plans (innermost decides first) and listeners for every
    call."""

    def __init__(self) -> None:
        self.plans: list[Any] = []
        self.listeners: list[Callable[[Call], None]] = []

    @property
    def idle(self) -> bool:
        return not self.plans and not self.listeners

    def call(self, target: Target, frame: types.FrameType | None) -> BaseException | None:
        site = locate_site(frame, target.roots)
        call = Call(target, site)
        for plan in reversed(self.plans):
            decided = plan.fault_for(target, site)
            if decided is not None:
                call.error_name, call.error = decided
                break
        for listener in list(self.listeners):
            listener(call)
        return call.error

    @contextmanager
    def plan(self, plan: Any) -> Iterator[Any]:
        self.plans.append(plan)
        try:
            yield plan
        finally:
            self.plans.remove(plan)

    @contextmanager
    def listening(self, listener: Callable[[Call], None]) -> Iterator[None]:
        self.listeners.append(listener)
        try:
            yield
        finally:
            self.listeners.remove(listener)


BOARD = Board()


def locate_site(frame: types.FrameType | None, roots: Collection[str]) -> Site:
    """The caller's file and line, skipping the client library's own frames (a decorator, a
    re-export)."""
    first = frame
    while frame is not None:
        module = frame.f_globals.get("__name__", "") or ""
        if module.split(".", 1)[0] not in roots:
            break
        frame = frame.f_back
    frame = frame or first
    if frame is None:
        return Site("<unknown>", 0, "")
    code = frame.f_code
    scope = getattr(code, "co_qualname", code.co_name).replace("<locals>.", "")
    return Site(code.co_filename, frame.f_lineno or 0, scope)


# --- wrappers -------------------------------------------------------------------------------------


def make_wrapper(target: Target, board: Board = BOARD) -> Any:
    """The replacement for ``target.raw``: same kind of descriptor, same kind of function (sync or
    async)."""
    if target._wrapper is not None:
        return target._wrapper
    func = target.func
    if inspect.iscoroutinefunction(func):
        wrapper = _async_wrapper(target, func, board)
    elif inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        wrapper = _lazy_wrapper(target, func, board)
    else:
        wrapper = _sync_wrapper(target, func, board)
    try:
        functools.update_wrapper(wrapper, func)
    except (AttributeError, TypeError):  # a builtin has no __dict__ to copy
        pass
    wrapper.__contractlint_target__ = target  # type: ignore[attr-defined]
    if isinstance(target.raw, staticmethod):
        wrapped: Any = staticmethod(wrapper)
    elif isinstance(target.raw, classmethod):
        wrapped = classmethod(wrapper)
    else:
        wrapped = wrapper
    target._wrapper = wrapped
    return wrapped


def _sync_wrapper(target: Target, func: Callable[..., Any], board: Board) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if board.idle or _INSIDE.get():
            return func(*args, **kwargs)
        error = board.call(target, sys._getframe(1))
        if error is not None:
            raise error
        token = _INSIDE.set(True)
        try:
            return func(*args, **kwargs)
        finally:
            _INSIDE.reset(token)

    return wrapper


def _async_wrapper(target: Target, func: Callable[..., Any], board: Board) -> Callable[..., Any]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if board.idle or _INSIDE.get():
            return await func(*args, **kwargs)
        # Awaited directly, the coroutine's caller frame is the coroutine that awaits it: the call
        # site.
        error = board.call(target, sys._getframe(1))
        if error is not None:
            raise error
        token = _INSIDE.set(True)
        try:
            return await func(*args, **kwargs)
        finally:
            _INSIDE.reset(token)

    return wrapper


def _lazy_wrapper(target: Target, func: Callable[..., Any], board: Board) -> Callable[..., Any]:
    """Generators reach the service when iterated: the fault is raised there, not when they are
    made."""
    is_async = inspect.isasyncgenfunction(func)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if board.idle or _INSIDE.get():
            return func(*args, **kwargs)
        error = board.call(target, sys._getframe(1))
        if error is None:
            return func(*args, **kwargs)
        return _failing_agen(error) if is_async else _failing_gen(error)

    return wrapper


def _failing_gen(error: BaseException) -> Iterator[Any]:
    raise error
    yield  # pragma: no cover - makes this a generator


async def _failing_agen(error: BaseException) -> Any:
    raise error
    yield  # pragma: no cover - makes this an async generator


def is_wrapper(value: Any) -> bool:
    inner = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
    return getattr(inner, "__contractlint_target__", None) is not None


# --- installing them ------------------------------------------------------------------------------


@dataclass
class _Installed:
    target: Target
    count: int = 0
    #: (namespace owner, name, whether it had its own entry, the value before) for each place set.
    saved: list[tuple[Any, str, bool, Any]] = field(default_factory=list)


_MISSING = object()


class Patcher:
    """Sets the wrappers where the functions are defined and puts back exactly what was there.

    Installs nest (the fixture inside a test the plugin already patched): a place is set once and
    restored when the last user leaves. A place is only restored while it still holds our wrapper:
    if something replaced it meanwhile (a mock), that replacement is its owner's to undo.
    """

    def __init__(self) -> None:
        self._active: dict[tuple[int, str], _Installed] = {}
        #: For each module-level function (by id, with the function to tell a reused id): the
        #: modules scanned for other names bound to it, and those names.
        self._refs: dict[int, tuple[Any, set, list[tuple[types.ModuleType, str]]]] = {}

    @contextmanager
    def installed(self, targets: Sequence[Target]) -> Iterator[None]:
        keys = []
        try:
            for target in targets:
                keys.append(self._install(target))
            yield
        finally:
            for key in reversed(keys):
                self._uninstall(key)

    def active(self) -> int:
        return len(self._active)

    def _install(self, target: Target) -> tuple[int, str]:
        key = (id(target.owner), target.attr)
        entry = self._active.get(key)
        if entry is not None:
            entry.count += 1
            return key
        entry = self._active[key] = _Installed(target, 1)
        wrapper = make_wrapper(target)
        current = _own(target.owner, target.attr)
        if current is _MISSING:
            current = _lookup(target.owner, target.attr)
            had_own = False
        else:
            had_own = True
        if is_wrapper(current):
            # already ours: wrapped by another resolution of the contract, or put back by a
            # mock's undo
            pass
        elif current is target.raw:
            try:
                setattr(target.owner, target.attr, wrapper)
            except (AttributeError, TypeError):
                return (
                    key  # a builtin or extension type: its methods cannot be replaced from Python
                )
            entry.saved.append(
                (target.owner, target.attr, had_own, current if had_own else _MISSING)
            )
        else:
            return key  # replaced by a fake for this test: nothing of the service is left to fail
        if target.module_level:
            for module, name in self._references(target):
                if module.__dict__.get(name) is target.func:
                    module.__dict__[name] = wrapper
                    entry.saved.append((module, name, True, target.func))
        return key

    def _uninstall(self, key: tuple[int, str]) -> None:
        entry = self._active[key]
        entry.count -= 1
        if entry.count:
            return
        del self._active[key]
        for owner, name, had_own, before in reversed(entry.saved):
            if not is_wrapper(_own(owner, name)):
                continue
            if isinstance(owner, types.ModuleType):
                if had_own:
                    owner.__dict__[name] = before
                else:
                    del owner.__dict__[name]
            elif had_own:
                setattr(owner, name, before)
            else:
                delattr(owner, name)

    def _references(self, target: Target) -> list[tuple[types.ModuleType, str]]:
        """Other modules' globals bound to the function (``from client import check_capability``).

        Patching only the defining module would miss every caller that imported the name before the
        test ran, which is nearly all of them. Modules are scanned once each, new ones as they
        appear.
        """
        known = self._refs.get(id(target.func))
        if known is None or known[0] is not target.func:
            known = self._refs[id(target.func)] = (target.func, set(), [])
        _, scanned, refs = known
        for name, module in list(sys.modules.items()):
            if (name, id(module)) in scanned:
                continue
            scanned.add((name, id(module)))
            if module is target.owner or not isinstance(module, types.ModuleType):
                continue
            try:
                namespace = module.__dict__
                found = [k for k, v in list(namespace.items()) if v is target.func]
            except Exception:  # an odd object in sys.modules
                continue
            refs.extend((module, k) for k in found)
        return refs

    def restore_all(self, targets: Sequence[Target] = ()) -> None:
        """Put everything back, whatever the counts say: the end of a session, or an interrupted
        one.

        ``targets`` are also swept: a wrapper that a mock saved while a test ran and put back after
        the test's patches were undone is still on its class; it only passes calls through, but the
        session must leave the code as it found it.
        """
        for key, entry in list(self._active.items()):
            entry.count = 1
            self._uninstall(key)
        for target in targets:
            if target._wrapper is not None and _own(target.owner, target.attr) is target._wrapper:
                if target.own:
                    setattr(target.owner, target.attr, target.raw)
                else:
                    delattr(target.owner, target.attr)


def _own(owner: Any, name: str) -> Any:
    try:
        return owner.__dict__.get(name, _MISSING)
    except AttributeError:
        return _MISSING


def _lookup(owner: Any, name: str) -> Any:
    try:
        return inspect.getattr_static(owner, name)
    except AttributeError:
        return _MISSING


#: The process-wide patcher: patches are process-wide, so there is one of it.
patcher = Patcher()
