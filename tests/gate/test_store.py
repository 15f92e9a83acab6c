"""announcements.yaml and the accept lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from contractsync.announce import (
    Announcement,
    AnnouncementFile,
    dump_announcements,
    load_announcements,
    save_announcements,
)
from contractsync.errors import InputError
from contractsync.gate import LOCK_FILE, contracts_lock


def test_round_trip_sorted_with_header(tmp_path: Path) -> None:
    path = tmp_path / "announcements.yaml"
    store = AnnouncementFile().with_added([
        Announcement(fingerprint="bbbbbbbbbbbb", reason="second", change="x: GET /b"),
        Announcement(fingerprint="aaaaaaaaaaaa", reason="first: with a colon", migration="do y",
                     announced="2026-11-26"),
    ])
    save_announcements(path, store)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Breaking changes announced")
    assert text.index("aaaaaaaaaaaa") < text.index("bbbbbbbbbbbb")
    assert load_announcements(path) == store
    assert dump_announcements(load_announcements(path)) == text
    # Re-announcing replaces; removing the last one removes the file.
    store = store.with_added([Announcement(fingerprint="aaaaaaaaaaaa", reason="changed")])
    assert store.by_fingerprint()["aaaaaaaaaaaa"].reason == "changed"
    save_announcements(path, store.without(["aaaaaaaaaaaa", "bbbbbbbbbbbb"]))
    assert not path.exists()
    assert load_announcements(path).announcements == []


@pytest.mark.parametrize(("text", "where", "words"), [
    ("announcements: [\n", "2:1", "not valid YAML"),
    ("announcements:\n- fingerprint: abcabcabcabc\n", "announcements.0.reason", "Field required"),
    ("announcements:\n- fingerprint: xyz\n  reason: r\n", "announcements.0.fingerprint", "match pattern"),
    ("announcements:\n- {fingerprint: abcabcabcabc, reason: r, typo: 1}\n", "announcements.0.typo",
     "unknown field"),
    ("announcements:\n- {fingerprint: abcabcabcabc, reason: r}\n- {fingerprint: abcabcabcabc, reason: s}\n",
     "announcements.1", "announced twice"),
    ("format: other/9\n", "format", "unknown format"),
])
def test_malformed_file_is_a_clear_error(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = tmp_path / "announcements.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_announcements(path)
    assert info.value.source == str(path)
    assert info.value.where == where
    assert words in info.value.message


def test_lock_serializes_read_modify_write(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_text("0")

    def bump() -> None:
        with contracts_lock(tmp_path):
            value = int(counter.read_text())
            time.sleep(0.01)
            counter.write_text(str(value + 1))

    threads = [threading.Thread(target=bump) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.read_text() == "12"
    assert not (tmp_path / LOCK_FILE).exists()  # the holder removes it: nothing lingers for git


def test_lock_times_out_with_a_message(tmp_path: Path) -> None:
    with contracts_lock(tmp_path), pytest.raises(InputError, match="held the lock"), contracts_lock(tmp_path, timeout=0.2):
        pass
