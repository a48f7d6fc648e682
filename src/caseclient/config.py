"""Where a profile lives on disk: one small paths object.

Defaults come from platformdirs; ``--home`` or ``CASECLIENT_HOME`` put the whole
profile in one folder instead (tests, demos, portable installs). Nothing here
touches the disk except :meth:`AppPaths.ensure`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Caseclient"
KEYRING_SERVICE = "caseclient"   # the OS keychain entry all of a profile's tokens live under
HOME_ENV = "CASECLIENT_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The folders and files of one officer's profile."""

    data_dir: Path
    config_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> AppPaths:
        """Paths for ``home`` if given, else ``$CASECLIENT_HOME``, else the OS defaults."""
        env = os.environ if environ is None else environ
        chosen = home if home is not None else env.get(HOME_ENV) or None
        if chosen is not None:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root / "data", config_dir=root / "config", log_dir=root / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @property
    def key_file(self) -> Path:
        """The wrapped data key (never the key itself)."""
        return self.data_dir / "vault.json"

    @property
    def database(self) -> Path:
        return self.data_dir / "cases.db"

    @property
    def backups_dir(self) -> Path:
        """Encrypted copies taken before each migration."""
        return self.data_dir / "backups"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    def ensure(self) -> None:
        """Create the folders, readable by the owner only."""
        for folder in (self.data_dir, self.config_dir, self.log_dir, self.backups_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                folder.chmod(0o700)
