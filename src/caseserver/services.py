"""Everything the API and the CLI use, built once from settings, a database and a clock."""

from __future__ import annotations

from dataclasses import dataclass

from caseserver.admin import AdminService
from caseserver.auth.passwords import Passwords
from caseserver.auth.service import AuthService
from caseserver.clock import Clock, system_clock
from caseserver.db.engine import Database
from caseserver.db.migrate import migrate
from caseserver.settings import Settings
from caseserver.sync.pull import PullService
from caseserver.sync.push import PushService


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    auth: AuthService
    push: PushService
    pull: PullService
    admin: AdminService

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock = system_clock,
              apply_migrations: bool = True) -> Services:
        db = Database(settings.database_url)
        if apply_migrations:
            migrate(db)
        passwords = Passwords(settings)
        return cls(settings, db, clock, AuthService(db, settings, clock, passwords), PushService(db, clock),
                   PullService(db), AdminService(db, clock, passwords))

    def close(self) -> None:
        self.pull.close()
        self.db.close()
