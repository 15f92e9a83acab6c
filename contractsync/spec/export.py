"""Export the OpenAPI document of a FastAPI app.

By default the app is imported in a fresh child process (``python -m contractsync.spec._child``):
the import cannot leak modules or state into the caller, a hanging import is killed after a
timeout, and the app's own ``openapi()`` (including overrides) is what runs. The child writes its
result to a private file, so an app that prints to stdout cannot corrupt the document.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import traceback
from pathlib import Path
from typing import Any

import orjson

from ..errors import AppExportError
from .canonical import canonical_json
from .document import Document, check_structure
from .source import AppSource

#: Lines of the app's stderr kept for the error report.
STDERR_TAIL = 30


def export_app(src: AppSource) -> Document:
    """Export ``src``'s OpenAPI document and return it as a :class:`Document`."""
    data = _export_in_process(src) if src.in_process else _export_child(src)
    name = str(src)
    warnings = check_structure(data, source=name)
    return Document(data=data, source=name, raw=canonical_json(data), format="json", warnings=warnings)


def split_target(target: str) -> tuple[str, str]:
    """``"pkg.module:attr"`` → ``("pkg.module", "attr")`` (attr defaults to ``app``)."""
    module, sep, attr = target.partition(":")
    if not module or (sep and not attr):
        raise AppExportError("expected an import path like 'pkg.module:app'", source=f"app {target}")
    return module, attr or "app"


def _export_child(src: AppSource) -> dict[str, Any]:
    split_target(src.target)
    fd, result_path = tempfile.mkstemp(prefix="contractsync-export-", suffix=".json")
    os.close(fd)
    env = dict(os.environ)
    # The child must find contractsync itself even when it is run from a source checkout.
    pkg_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg_root, env.get("PYTHONPATH")]))
    cmd = [src.python, "-m", "contractsync.spec._child", src.target, str(src.app_dir), result_path]
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=src.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            _, err = proc.communicate()
            raise AppExportError(
                f"importing the app did not finish within {src.timeout:g} s (a hanging import?)",
                source=str(src),
            ) from None
        stderr_text = err.decode("utf-8", "replace")
        try:
            result = orjson.loads(Path(result_path).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            result = None
        if not isinstance(result, dict):
            raise _error(
                f"the export process died (exit code {proc.returncode}) without a result",
                src, None, stderr_text,
            )
        if not result.get("ok"):
            raise _error(str(result.get("error")), src, result.get("where"), stderr_text,
                         str(result.get("traceback") or ""))
        spec = result.get("spec")
        if not isinstance(spec, dict):
            raise _error("openapi() did not return a JSON object", src, None, stderr_text)
        return spec
    finally:
        with contextlib.suppress(OSError):
            os.unlink(result_path)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def _error(message: str, src: AppSource, where: str | None, stderr: str, tb: str = "") -> AppExportError:
    exc = AppExportError(message, source=str(src), where=where)
    tail = "\n".join(stderr.rstrip().splitlines()[-STDERR_TAIL:])
    exc.details = tail  # type: ignore[attr-defined]
    exc.debug_details = tb  # type: ignore[attr-defined]
    return exc


def _export_in_process(src: AppSource) -> dict[str, Any]:
    result = run_export(src.target, str(src.app_dir))
    if not result.get("ok"):
        raise _error(str(result.get("error")), src, result.get("where"), "",
                     str(result.get("traceback") or ""))
    spec = result["spec"]
    if not isinstance(spec, dict):
        raise AppExportError("openapi() did not return a JSON object", source=str(src))
    return spec


def run_export(target: str, app_dir: str) -> dict[str, Any]:
    """Import ``target`` and call its ``openapi()``; never raises.

    Returns ``{"ok": True, "spec": {...}}`` or ``{"ok": False, "error": ..., "where": ...,
    "traceback": ...}``. Used by the child process, the in-process mode and the watch worker.
    """
    module_name, attr = split_target(target)
    app_path = str(Path(app_dir).resolve())
    if app_path not in sys.path:
        sys.path.insert(0, app_path)
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # the app's import can raise anything, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        if isinstance(exc, ModuleNotFoundError) and exc.name and module_name.startswith(exc.name):
            msg = f"cannot import module '{module_name}': no module named '{exc.name}' (is --app-dir right?)"
        else:
            msg = f"importing '{module_name}' failed: {type(exc).__name__}: {exc}"
        return _failure(msg, exc)
    try:
        obj = getattr(module, attr)
    except AttributeError:
        return {"ok": False, "error": f"module '{module_name}' has no attribute '{attr}'", "where": None}
    try:
        from fastapi import FastAPI
    except ImportError:  # pragma: no cover - fastapi is a dependency
        return {"ok": False, "error": "fastapi is not installed", "where": None}
    if not isinstance(obj, FastAPI) and callable(obj) and not hasattr(obj, "openapi"):
        try:
            obj = obj()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            return _failure(f"calling the app factory '{attr}()' failed: {type(exc).__name__}: {exc}", exc)
    if not isinstance(obj, FastAPI):
        return {
            "ok": False,
            "error": f"'{target}' is a {type(obj).__name__}, not a FastAPI app or a factory returning one",
            "where": None,
        }
    try:
        spec = obj.openapi()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _failure(f"app.openapi() raised {type(exc).__name__}: {exc}", exc)
    return {"ok": True, "spec": spec}


def _failure(message: str, exc: BaseException) -> dict[str, Any]:
    where = None
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{_rel(exc.filename)}:{exc.lineno}"
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        user = [f for f in frames if not f.filename.startswith(_NOT_USER_CODE) and "<frozen" not in f.filename]
        if user:
            where = f"{_rel(user[-1].filename)}:{user[-1].lineno}"
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"ok": False, "error": " ".join(message.split()), "where": where, "traceback": tb}


# Frames in these trees are not the user's code: the error points at the last frame outside them.
_NOT_USER_CODE = tuple(
    {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {str(Path(__file__).resolve().parents[1])}
)


def _rel(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except ValueError:
        return filename
