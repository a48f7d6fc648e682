"""The TLS context every connection to the central system is made with, made once.

Loading the trusted certificate authorities (the system's bundle, ~150 certificates, or
IT's own bundle) holds the interpreter lock for 30–70 ms in C. Made as the sync worker opened
its first connection, that was the UI thread's longest wait right after unlock, just as the
caseload is shown. The composition root makes it in the background when the app starts
(:meth:`TlsContexts.warm`), while the officer types the passphrase, and every engine the
worker opens afterwards takes the same context (an ``ssl.SSLContext`` is safe to share
between connections and threads once made).
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)


def make_context(ca_bundle: str | None) -> ssl.SSLContext:
    """What httpx makes for ``verify=True`` (or IT's CA bundle): certificates and host names
    checked against the trusted authorities."""
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return httpx.create_ssl_context()


class TlsContexts:
    """One context per CA bundle, made at most once (on whichever thread asks first)."""

    def __init__(self, make: Callable[[str | None], ssl.SSLContext] = make_context) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._made: dict[str | None, ssl.SSLContext] = {}

    def get(self, ca_bundle: str | None) -> ssl.SSLContext:
        """The context for ``ca_bundle`` (None: the system's authorities). A bundle that cannot
        be read raises here, each time it is asked for, as making the connection did."""
        with self._lock:
            context = self._made.get(ca_bundle)
            if context is None:
                context = self._made[ca_bundle] = self._make(ca_bundle)
            return context

    def warm(self, ca_bundle: str | None) -> threading.Thread:
        """Make the context on a thread of its own now; the first :meth:`get` waits for it."""
        def make() -> None:
            try:
                self.get(ca_bundle)
            except (OSError, ssl.SSLError) as error:     # said again when a connection asks
                log.info("the TLS context could not be made ahead: %s", type(error).__name__)

        thread = threading.Thread(target=make, name="caseclient-tls", daemon=True)
        thread.start()
        return thread
