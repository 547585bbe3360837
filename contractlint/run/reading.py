"""Reading a checked file: all its bytes in few system calls, with what ``fstat`` said of it just
before, and never waiting on a path that is not a regular file."""

from __future__ import annotations

import errno
import os
import stat

#: What ``fstat`` says of a file: its size, modification and change times in nanoseconds, inode and
#: device (``contractlint.run.runcache`` compares them, as git's index does).
Stamp = tuple[int, int, int, int, int]

#: Never wait on the file: a named pipe opens at once (and is then refused), a terminal is not
#: taken.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)
#: What a file that is not a regular file is, by the type bits of its mode.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """A path that names a named pipe, a socket, a device or a folder: never read, never waited
    on."""

    def __init__(self, mode: int):
        kind = next((name for test, name in _KINDS if test(mode)), "of an unknown kind")
        super().__init__(errno.EINVAL, f"not a regular file ({kind})")


def read_file(path: str) -> bytes:
    """The whole file, read to its end: what ``open(path, "rb").read()`` gives, in fewer calls (no
    file object, no buffer; one read of the size ``fstat`` says, then one that finds the end)."""
    return read_stamped(path)[0]


def read_stamped(path: str) -> tuple[bytes, Stamp]:
    """``read_file``, and the file's ``Stamp`` as ``fstat`` said it before the file was read.

    Anything but a regular file raises ``NotRegularFile``: the file is opened without blocking and
    ``fstat`` (which the read needs anyway) says what it is, so a named pipe called ``x.py`` can
    never hold up a run and a device is never read."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:  # a socket cannot be opened at all: say what it is
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError):
            raise exc from None
        if stat.S_ISREG(mode):
            raise
        raise NotRegularFile(mode) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(st.st_mode)
        chunks = [os.read(fd, st.st_size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return (
        chunks[0] if len(chunks) <= 2 else b"".join(chunks),
        (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev),
    )
