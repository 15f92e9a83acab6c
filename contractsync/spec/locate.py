"""Line and column of a JSON pointer in a document's source text.

oasdiff reports positions only for YAML; FastAPI emits JSON, so contractsync locates pointers in
both. The look-up is called once per reported change, on documents up to GitHub's 13 MB, so it
never re-parses the whole text per call:

* **JSON** — a lazy index over the raw bytes. The first look-up that enters an object or array
  scans that one container's members and records where each key (or element) starts; sibling
  values are skipped with the C JSON scanner (``raw_decode``), not a Python loop. Containers are
  indexed only when a pointer goes through them, and each at most once per buffer, so a whole
  report costs about one parse of the parts it touches.
* **JSON in orjson's layout, with the parsed data** (:func:`prime`; our own contracts, app
  exports, GitHub's description) — offsets follow from the serialized sizes of the members
  before a key, once one full comparison has proved the text is exactly that layout: no text is
  scanned at all (0.06 s instead of 0.14 s per 13 MB document).
* **YAML** — PyYAML's ``compose`` (the libyaml C loader when present) builds the node tree with
  marks once per buffer; look-ups walk it.

Indexes are cached per raw buffer (the few most recent ones: a diff holds two documents).
Positions are 1-based; columns count characters, as editors and GitHub annotations do. The
position returned is that of the member's *key* for an object member (where a reader's eye goes),
of the value for an array element, and of the document's first token for the root pointer.
"""

from __future__ import annotations

import gc
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
import yaml

from .document import Position
from .refs import unescape

#: How many raw buffers keep their index (two per diff, plus slack for a watch loop).
_CACHE_SIZE = 4

_WS = re.compile(rb"[ \t\r\n]*")
_BLOCK = 1 << 13
_NO_DATA: Any = object()
# A JSON string: bytes other than quote/backslash, or any escape pair. Works on raw UTF-8 bytes
# because neither byte of interest occurs inside a multi-byte UTF-8 sequence.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)


def locate_pointer(
    raw: bytes, fmt: Literal["json", "yaml"], pointer: str, *, data: Any = _NO_DATA
) -> Position | None:
    """Where the JSON pointer ``pointer`` sits in ``raw`` (JSON or YAML), or None if it does not.

    ``pointer`` is an RFC 6901 pointer (``""`` for the root, ``/paths/~1books/get``); a leading
    ``#`` (URI fragment form) is accepted. Malformed text gives None, never an exception: a
    position is a convenience, the caller already holds the parsed document.

    ``data``, the document parsed from ``raw``, enables a faster path for JSON text laid out
    exactly as ``orjson`` indents it (FastAPI contracts written by contractsync, GitHub's
    description): offsets are then computed from serialized sizes instead of scanning text.
    :func:`prime` registers it once for every later call.
    """
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if pointer and not pointer.startswith("/"):
        return None
    tokens = [unescape(t) for t in pointer[1:].split("/")] if pointer else []
    index = _index_for(raw, fmt)
    if data is not _NO_DATA and isinstance(index, _JsonIndex) and index.data is _NO_DATA:
        index.data = data
    # Skipping values allocates (and frees) many acyclic objects; with two large documents alive,
    # each cyclic-GC pass would walk millions of their objects. Refcounting frees everything here.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return index.locate(tokens)
    except (ValueError, RecursionError, IndexError, yaml.YAMLError):
        return None
    finally:
        if gc_was_enabled:
            gc.enable()


def _index_for(raw: bytes, fmt: str) -> _JsonIndex | _YamlIndex:
    key = (id(raw), fmt)
    with _LOCK:
        entry = _CACHE.get(key)
        # The entry keeps `raw` alive, so its id cannot be reused while cached; the identity check
        # guards against a stale id anyway.
        if entry is not None and entry.raw is raw:
            _CACHE.move_to_end(key)
            return entry
        index: _JsonIndex | _YamlIndex = _JsonIndex(raw) if fmt == "json" else _YamlIndex(raw)
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return index


def prime(raw: bytes, fmt: Literal["json", "yaml"], data: Any) -> None:
    """Register the parsed ``data`` of ``raw`` so look-ups can take the fast path (JSON only)."""
    index = _index_for(raw, fmt)
    if isinstance(index, _JsonIndex) and index.data is _NO_DATA:
        index.data = data


_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[int, str], _JsonIndex | _YamlIndex] = OrderedDict()


def forget(raw: bytes) -> None:
    """Drop the index of one buffer (a command that is done with a document)."""
    with _LOCK:
        for key in [k for k, entry in _CACHE.items() if entry.raw is raw]:
            del _CACHE[key]


def clear_cache() -> None:
    """Forget every cached index (tests; long-running processes that reload documents)."""
    with _LOCK:
        _CACHE.clear()


# --- JSON --------------------------------------------------------------------------------------


@dataclass
class _Container:
    """One object or array, scanned lazily: members are recorded as far as a look-up needed.

    ``members`` maps an object's keys to (key offset, value offset); ``items`` holds an array's
    value offsets. ``resume`` is where scanning continues (None once the closing bracket was
    reached, at ``end``).
    """

    is_object: bool
    members: dict[str, tuple[int, int]] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)
    resume: int | None = None
    end: int = -1


@dataclass(frozen=True)
class _Layout:
    starts: list[int]
    index: dict[str, int] | None


@dataclass
class _JsonIndex:
    raw: bytes
    data: Any = _NO_DATA
    _layout: bool | None = None
    """True when ``raw`` is byte for byte ``orjson.dumps(data, OPT_INDENT_2)`` (checked once)."""
    _offsets: dict[int, _Layout] = field(default_factory=dict)
    _text: str | None = None
    _checkpoints: list[int] | None = None
    _block_columns: list[int] | None = None
    _containers: dict[int, _Container] = field(default_factory=dict)
    _root: int | None = None

    def __post_init__(self) -> None:
        self._decoder = json.JSONDecoder()

    @property
    def text(self) -> str:
        # Latin-1 maps byte i to character i, so offsets in the text are byte offsets in `raw`
        # (the C scanner needs a str). JSON syntax is ASCII; non-ASCII bytes only occur inside
        # strings, where any character is valid JSON, so skipping stays exact.
        if self._text is None:
            self._text = self.raw.decode("latin-1")
        return self._text

    def locate(self, tokens: list[str]) -> Position | None:
        if self._orjson_layout():
            offset = self._computed_offset(tokens)
            return None if offset is None else self._position(offset)
        if self._root is None:
            start = 3 if self.raw.startswith(b"\xef\xbb\xbf") else 0
            self._root = self._skip_ws(start)
        offset = self._root
        if offset >= len(self.raw):
            return None
        at = offset
        for token in tokens:
            container = self._container(offset)
            if container is None:
                return None
            if container.is_object:
                hit = self._member(container, token)
                if hit is None:
                    return None
                at, offset = hit
            else:
                if not token.isdigit():
                    return None
                value = self._item(container, int(token))
                if value is None:
                    return None
                at = offset = value
        return self._position(at)

    # Fast path: the text is orjson's two-space layout of `data`, so every member's offset follows
    # from the serialized sizes of the members before it. orjson's output is compositional: a
    # value nested at depth d is its standalone serialization with 2*d more spaces on every line
    # after the first. The one full comparison below proves the layout before it is relied on.

    def _orjson_layout(self) -> bool:
        if self._layout is None:
            self._layout = False
            if self.data is not _NO_DATA and isinstance(self.data, (dict, list)):
                try:
                    text = orjson.dumps(self.data, option=orjson.OPT_INDENT_2)
                except (TypeError, orjson.JSONEncodeError):
                    return False
                raw = self.raw
                self._layout = raw == text or (raw[: len(text)] == text and not raw[len(text):].strip())
        return self._layout

    def _computed_offset(self, tokens: list[str]) -> int | None:
        node: Any = self.data
        container = 0  # offset of the current container's opening bracket
        at = 0
        for depth, token in enumerate(tokens):
            if isinstance(node, dict):
                layout = self._members(node, depth)
                index = layout.index.get(token) if layout.index is not None else None
                if index is None:
                    return None
                at = container + layout.starts[index]
                # The value follows `"key": `.
                container = at + len(orjson.dumps(token)) + 2
                node = node[token]
            elif isinstance(node, list):
                if not token.isdigit() or int(token) >= len(node):
                    return None
                layout = self._members(node, depth)
                at = container = container + layout.starts[int(token)]
                node = node[int(token)]
            else:
                return None
        return at

    def _members(self, node: dict[str, Any] | list[Any], depth: int) -> _Layout:
        """Where each member of ``node`` starts (its key, or the element), relative to the
        container's opening bracket; computed once per container from serialized sizes."""
        cached = self._offsets.get(id(node))
        if cached is not None:
            return cached
        inner = 2 * (depth + 1)
        pos = 2 + inner  # "{\n" and the first member's indentation
        starts: list[int] = []
        pairs = node.items() if isinstance(node, dict) else ((None, v) for v in node)
        for key, value in pairs:
            starts.append(pos)
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2)
            size = len(text) + text.count(b"\n") * inner
            if key is not None:
                size += len(orjson.dumps(key)) + 2  # `"key": `
            pos += size + 2 + inner  # ",\n" and the next member's indentation
        layout = _Layout(starts, {k: i for i, k in enumerate(node)} if isinstance(node, dict) else None)
        self._offsets[id(node)] = layout
        return layout

    def _container(self, offset: int) -> _Container | None:
        cached = self._containers.get(offset)
        if cached is not None:
            return cached
        opener = self.raw[offset : offset + 1]
        if opener not in (b"{", b"["):
            return None
        container = _Container(is_object=opener == b"{")
        pos = self._skip_ws(offset + 1)
        if self.raw[pos : pos + 1] == (b"}" if container.is_object else b"]"):
            container.end = pos + 1
        else:
            container.resume = pos
        self._containers[offset] = container
        return container

    def _member(self, container: _Container, key: str) -> tuple[int, int] | None:
        hit = container.members.get(key)
        # For a duplicate key the first occurrence is reported (parsers keep the last value):
        # stopping at the first match keeps the scan lazy and the answer stable.
        while hit is None and container.resume is not None:
            self._scan_member(container)
            hit = container.members.get(key)
        return hit

    def _item(self, container: _Container, index: int) -> int | None:
        while len(container.items) <= index and container.resume is not None:
            self._scan_member(container)
        return container.items[index] if index < len(container.items) else None

    def _finish(self, container: _Container) -> int:
        while container.resume is not None:
            self._scan_member(container)
        return container.end

    def _scan_member(self, container: _Container) -> None:
        """Record the next member of ``container`` and advance past it."""
        raw = self.raw
        pos = container.resume
        assert pos is not None
        if container.is_object:
            m = _STRING.match(raw, pos)
            if m is None:
                raise ValueError("expected a key")
            literal = m.group()
            key = (
                literal[1:-1].decode("utf-8", "replace")
                if b"\\" not in literal
                else json.loads(literal.decode("utf-8", "replace"))
            )
            pos = self._skip_ws(m.end())
            if raw[pos : pos + 1] != b":":
                raise ValueError("expected ':'")
            value = self._skip_ws(pos + 1)
            container.members.setdefault(key, (m.start(), value))
            close = b"}"
        else:
            value = pos
            container.items.append(value)
            close = b"]"
        try:
            pos = self._skip_value(value)
        except ValueError:
            pos = -1
        if pos >= 0:
            pos = self._skip_ws(pos)
        sep = raw[pos : pos + 1] if pos >= 0 else b""
        if sep == close:
            container.resume = None
            container.end = pos + 1
        elif sep == b",":
            container.resume = self._skip_ws(pos + 1)
        else:
            # Damaged text: keep what was found before the damage, look no further (end -1
            # makes an enclosing container stop too).
            container.resume = None

    def _skip_ws(self, pos: int) -> int:
        m = _WS.match(self.raw, pos)
        assert m is not None  # the pattern matches the empty string
        return m.end()

    def _skip_value(self, pos: int) -> int:
        """Offset just past the JSON value starting at ``pos`` (-1 when it is damaged).

        A container already (partly) indexed is finished member by member, so no byte is parsed
        twice; anything else goes through the C scanner in one call. (Guessing a container's end
        from the indentation and proving it with orjson was tried: no faster on GitHub's file.)
        """
        container = self._containers.get(pos)
        if container is not None:
            return self._finish(container)
        if pos < 0:
            return -1
        _, stop = self._decoder.raw_decode(self.text, pos)
        return int(stop)

    def _position(self, offset: int) -> Position:
        raw = self.raw
        if self._checkpoints is None or self._block_columns is None:
            # Per 64 KiB block: the newlines before it and the column (in characters) its first
            # byte sits at. A line number is then one short count() away and a column one short
            # scan, even on single-line JSON (what FastAPI serves), where scanning back to the
            # line start would be linear in the offset for every change (#13).
            checkpoints = [0]
            columns = [0]
            for block in range(_BLOCK, len(raw) + 1, _BLOCK):
                start = block - _BLOCK
                checkpoints.append(checkpoints[-1] + raw.count(b"\n", start, block))
                newline = raw.rfind(b"\n", start, block)
                if newline == -1:
                    columns.append(columns[-1] + _chars(raw, start, block))
                else:
                    columns.append(_chars(raw, newline + 1, block))
            self._checkpoints, self._block_columns = checkpoints, columns
        block = offset // _BLOCK
        base = block * _BLOCK
        line = self._checkpoints[block] + raw.count(b"\n", base, offset)
        newline = raw.rfind(b"\n", base, offset)
        if newline == -1:
            column = self._block_columns[block] + _chars(raw, base, offset) + 1
        else:
            column = _chars(raw, newline + 1, offset) + 1
        if line == 0 and raw.startswith(b"\xef\xbb\xbf"):
            column -= 1
        return Position(line + 1, column)


# Every byte value except UTF-8 continuation bytes (0x80-0xBF): deleting them leaves the
# continuation bytes, so characters = bytes - continuation bytes (valid at any byte boundary).
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b <= 0xBF)


def _chars(raw: bytes, start: int, end: int) -> int:
    """How many characters the UTF-8 bytes ``raw[start:end]`` hold (C speed)."""
    segment = raw[start:end]
    return len(segment) - len(segment.translate(None, _NOT_CONTINUATION))


# --- YAML --------------------------------------------------------------------------------------

_Composer: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _YamlIndex:
    raw: bytes
    _root: yaml.Node | None = None
    _composed: bool = False
    _maps: dict[int, dict[str, yaml.Node]] = field(default_factory=dict)
    _keys: dict[int, dict[str, yaml.Node]] = field(default_factory=dict)

    def _compose(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                text = self.raw.decode("utf-8-sig")
                self._root = yaml.compose(text, Loader=_Composer)
            except (UnicodeDecodeError, yaml.YAMLError, RecursionError):
                self._root = None
        return self._root

    def locate(self, tokens: list[str]) -> Position | None:
        node = self._compose()
        if node is None:
            return None
        mark_node = node
        for token in tokens:
            if isinstance(node, yaml.MappingNode):
                values, keys = self._mapping(node)
                if token not in values:
                    return None
                mark_node = keys[token]
                node = values[token]
            elif isinstance(node, yaml.SequenceNode):
                if not token.isdigit() or int(token) >= len(node.value):
                    return None
                node = mark_node = node.value[int(token)]
            else:
                return None
        mark = mark_node.start_mark
        return Position(mark.line + 1, mark.column + 1)

    def _mapping(self, node: yaml.MappingNode) -> tuple[dict[str, yaml.Node], dict[str, yaml.Node]]:
        key = id(node)
        cached = self._maps.get(key)
        if cached is not None:
            return cached, self._keys[key]
        values: dict[str, yaml.Node] = {}
        keys: dict[str, yaml.Node] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                merges.append(value_node)
                continue
            values[str(key_node.value)] = value_node
            keys[str(key_node.value)] = key_node
        # `<<: *base` merge keys: explicit keys win over merged ones, as the loader does.
        for merged in merges:
            sources = merged.value if isinstance(merged, yaml.SequenceNode) else [merged]
            for source in sources:
                if isinstance(source, yaml.MappingNode) and source is not node:
                    sub_values, sub_keys = self._mapping(source)
                    for name, value in sub_values.items():
                        if name not in values:
                            values[name] = value
                            keys[name] = sub_keys[name]
        self._maps[key] = values
        self._keys[key] = keys
        return values, keys
