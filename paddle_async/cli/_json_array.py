"""Reading a JSON array one element at a time, as ``customers import`` does for ``.json`` files.

The standard library decodes a whole document at once; an export of every customer is one array
as large as the account. This finds where each element starts and ends (strings, escapes and
brackets; no decoding) reading 64 KiB at a time, and yields each element's text for the caller
to decode. An element longer than the row limit is skipped without being kept in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

__all__ = ["BrokenArray", "json_array_elements"]

_CHUNK = 1 << 16
_SPACE = frozenset(" \t\r\n")
_STRUCTURE = re.compile(r'["{}\[\],]')  # outside strings: where an element may end
_IN_STRING = re.compile(r'["\\]')  # inside a string: its end, or an escape


class BrokenArray(ValueError):
    """The file is not a JSON array, or its structure breaks at an element (1-based)."""

    def __init__(self, element: int, reason: str) -> None:
        super().__init__(reason)
        self.element = element


class _Reader:
    """Characters of a file, read a chunk at a time; the text of one element at most kept."""

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self._buffer = ""
        self._pos = 0

    def _more(self) -> bool:
        chunk = self._file.read(_CHUNK)
        if not chunk:
            return False
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True

    def peek(self) -> str:
        """Return the next character after spaces ("" at the end of the file)."""
        while True:
            buffer = self._buffer
            while self._pos < len(buffer) and buffer[self._pos] in _SPACE:
                self._pos += 1
            if self._pos < len(buffer) or not self._more():
                return buffer[self._pos] if self._pos < len(buffer) else ""

    def take(self) -> None:
        """Step over the character `peek` returned."""
        self._pos += 1

    def element(self, limit: int) -> str | None:
        """Read one element's text (None when longer than ``limit``, kept only up to it).

        Raises:
            ValueError: The file ends inside the element.
        """
        pieces: list[str] = []
        kept = 0
        depth = 0
        in_string = False
        while True:
            buffer, start = self._buffer, self._pos
            pattern = _IN_STRING if in_string else _STRUCTURE
            match = pattern.search(buffer, start)
            end = None
            while match is not None:
                char = match[0]
                if in_string:
                    if char == "\\":
                        if match.end() >= len(buffer):  # the escaped character is in the next chunk
                            break
                        match = pattern.search(buffer, match.end() + 1)
                        continue
                    in_string = False
                elif char == '"':
                    in_string = True
                elif char in "{[":
                    depth += 1
                elif depth == 0:  # , ] or } at the top: the element ended before it
                    end = match.start()
                    break
                elif char in "}]":
                    depth -= 1
                pattern = _IN_STRING if in_string else _STRUCTURE
                match = pattern.search(buffer, match.end())
            stop = end if end is not None else (match.start() if match is not None else len(buffer))
            if kept <= limit:
                pieces.append(buffer[start:stop])
                kept += stop - start
            self._pos = stop
            if end is not None:
                text = "".join(pieces).strip()
                return text if kept <= limit else None
            if not self._more():
                raise ValueError("the file ends inside an element")


def json_array_elements(file: TextIO, *, limit: int) -> Iterator[tuple[int, str | None]]:
    """Yield each element's position (from 1) and text, or None for one longer than ``limit``.

    Raises:
        BrokenArray: Not an array, or a broken one (said with the element where it breaks).
    """
    reader = _Reader(file)
    if reader.peek() != "[":
        raise BrokenArray(0, "not a JSON array (it does not start with [)")
    reader.take()
    if reader.peek() == "]":
        reader.take()
    else:
        number = 0
        while True:
            number += 1
            try:
                text = reader.element(limit)
            except ValueError as error:
                raise BrokenArray(number, str(error)) from None
            if text == "":
                raise BrokenArray(number, "an empty element (two commas, or a comma before ])")
            yield number, text
            after = reader.peek()
            reader.take()
            if after == "]":
                break
            if after != ",":
                raise BrokenArray(number, "the array does not go on with , or ] after it")
    if reader.peek() != "":
        raise BrokenArray(0, "text after the array's closing ]")
