"""Stopping child processes started by tests, without leaving zombies or open pipes."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 5) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
