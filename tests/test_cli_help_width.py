"""--help uses the whole width of a wide terminal (#12): long option help is not cut at 80."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _help_in_terminal(columns: int, *args: str) -> list[str]:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERMINAL_WIDTH")}
    env.update(NO_COLOR="1", TERM="xterm", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "contractsync", *args, "--help"], stdin=follower,
                            stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).splitlines()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty sizing via ioctl")
@pytest.mark.parametrize("command", [["diff"], ["watch"], ["generate", "typescript"]])
def test_help_uses_a_wide_terminal(command: list[str]) -> None:
    lines = _help_in_terminal(200, *command)
    widest = max(len(line.rstrip()) for line in lines)
    assert 120 < widest <= 200, widest
    # The --python help (a long sentence) runs past column 80 instead of wrapping there.
    assert any("--python" in line and len(line.rstrip()) > 120 for line in lines), lines


def test_help_without_a_terminal_honours_columns() -> None:
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1", PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-m", "contractsync", "diff", "--help"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert max(len(line.rstrip()) for line in out.splitlines()) > 120
