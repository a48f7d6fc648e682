"""The one error tree of Caseclient.

Two kinds of failure exist. A :class:`KnownError` comes from the environment or
the officer (wrong passphrase, disk full, offline, signed out): it is shown in
plain words with what to do next, and whatever the officer typed is kept.
Anything else is a bug: logged without case data, shown in a crash dialog, and
the store stays consistent because every save is one transaction.

::

    CaseclientError
    └── KnownError                      message + what to do next, safe to show
        ├── ProfileError
        │   ├── ProfileMissing          no profile set up at this place yet
        │   ├── ProfileExists           setup over an existing profile
        │   └── ProfileDamaged          key file unreadable or altered
        ├── UnlockError
        │   ├── WrongPassphrase         "Passphrase not recognised"
        │   ├── WrongRecoveryKey
        │   └── TooManyAttempts         growing delay after 5 failures
        ├── VaultLocked                 an operation needs the unlocked key
        ├── StoreError
        │   ├── StoreDamaged            integrity check failed / not a database
        │   ├── StoreTooNew             written by a newer Caseclient
        │   ├── StoreBusy               database locked for too long
        │   ├── DiskFull                the disk (or quota) is full
        │   └── DiskNotSynced           the disk failed to sync autosaved words
        ├── RecordNotFound
        ├── RecordLocked                e.g. a locked assessment, a sent contact
        ├── SecretStoreUnavailable      no usable OS keychain
        └── SyncError
            ├── Offline                 the central system cannot be reached
            ├── SignedOut               tokens expired or revoked: sign in again
            ├── ServerRefused           the server answered with a refusal
            ├── UpgradeRequired         schema outside the server's range
            └── ProtocolViolation       the server sent something we do not understand
"""

from __future__ import annotations


class CaseclientError(Exception):
    """Root of every error Caseclient raises on purpose."""


class KnownError(CaseclientError):
    """An expected failure with a plain-English message and a next step.

    ``message`` says what happened; ``advice`` says what the officer can do. Neither
    may contain case data, passphrases, keys or tokens: both can be logged.
    """

    message: str = "Something went wrong."
    advice: str = ""

    def __init__(self, message: str | None = None, advice: str | None = None) -> None:
        if message is not None:
            self.message = message
        if advice is not None:
            self.advice = advice
        super().__init__(self.message)

    def plain(self) -> str:
        """The message and advice as one sentence pair, for dialogs and the CLI."""
        return f"{self.message} {self.advice}".strip()


class ProfileError(KnownError):
    message = "The profile on this laptop cannot be used."


class ProfileMissing(ProfileError):
    message = "No Caseclient profile has been set up here yet."
    advice = "Run 'caseclient init' or start the app to set one up."


class ProfileExists(ProfileError):
    message = "A Caseclient profile already exists here."
    advice = "Unlock it with your passphrase, or choose another folder with --home."


class ProfileDamaged(ProfileError):
    message = "The key file of this profile is damaged."
    advice = "Nothing was changed. Contact IT support; do not delete the profile folder."


class UnlockError(KnownError):
    message = "The profile could not be unlocked."


class WrongPassphrase(UnlockError):
    message = "Passphrase not recognised."
    advice = "Check Caps Lock and try again. Nothing has been changed."


class WrongRecoveryKey(UnlockError):
    message = "Recovery key not recognised."
    advice = "Type the recovery key exactly as it was shown when the profile was set up."


class TooManyAttempts(UnlockError):
    message = "Too many attempts."

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            advice=f"Wait {max(1, round(wait_seconds))} seconds before trying again."
        )


class VaultLocked(KnownError):
    message = "Caseclient is locked."
    advice = "Unlock it with your passphrase to carry on."


class StoreError(KnownError):
    message = "The local store cannot be used."


class StoreDamaged(StoreError):
    message = "The local case store on this laptop is damaged."
    advice = (
        "Nothing has been deleted. Close Caseclient and contact IT support, quoting "
        "'store integrity'; keep the profile folder as it is."
    )


class StoreTooNew(StoreError):
    message = "This case store was written by a newer version of Caseclient."
    advice = "Install the newer version; the store has not been changed."


class UpdateStopped(StoreError):
    message = "Updating the records for this version of Caseclient was stopped before it finished."
    advice = "Nothing was lost: the update starts again from where it stood at the next unlock."


class StoreBusy(StoreError):
    message = "The local store is busy."
    advice = "Your work is kept. Try again in a moment."


class DiskFull(StoreError):
    message = "The disk is full, so the last change could not be saved."
    advice = "Your text is still in the window. Free some disk space; it saves again by itself."


class DiskNotSynced(StoreError):
    message = "The laptop's disk reported an error while saving the last changes."
    advice = ("They are still on screen. Copy anything important somewhere safe and tell your "
              "IT service desk: the disk may be failing.")


class RecordNotFound(KnownError):
    message = "That record is not on this laptop."


class RecordLocked(KnownError):
    message = "That record can no longer be changed."


class SecretStoreUnavailable(KnownError):
    message = "No secure keychain is available on this computer."
    advice = "Your sign-in is kept only until Caseclient closes; you will need to sign in next time."


class SyncError(KnownError):
    message = "Sync did not finish."


class Offline(SyncError):
    message = "Offline — your work is kept on this laptop."
    advice = "It will be sent when the central system can be reached."


class SignedOut(SyncError):
    message = "Sign in to send your work."
    advice = "Your work is kept on this laptop until you sign in again."


class ServerRefused(SyncError):
    message = "The central system refused the request."


class UpgradeRequired(SyncError):
    message = "The central system needs a newer version of Caseclient."
    advice = "Your work is kept on this laptop. Ask IT support for the update."


class ProtocolViolation(SyncError):
    message = "The central system sent something Caseclient does not understand."
    advice = "Nothing was changed on this laptop. Sync will try again later."


def _in_minutes(seconds: float | None) -> str:
    """A server's wait in words an officer can act on: "in 14 minutes", "in 1 minute"."""
    if seconds is None:
        return "in a few minutes"
    minutes = max(1, -(-int(seconds) // 60))
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


class TooManySignIns(SyncError):
    """``429`` on sign-in: the central system's limit on failed attempts; never retried."""

    message = "Too many sign-in attempts."

    def __init__(self, wait_seconds: int | None, detail: str = "") -> None:
        self.wait_seconds = wait_seconds
        self.detail = detail
        super().__init__(advice=f"Try again {_in_minutes(wait_seconds)}. "
                                "Your work is kept on this laptop.")


class CentralBusy(Offline):
    """The central system asked to wait (``429``/``503`` + ``Retry-After``) longer than a sync waits."""

    message = "The central system is busy just now."

    def __init__(self, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        when = "later" if retry_after is None else _in_minutes(retry_after)
        super().__init__(advice=f"Your work is kept on this laptop; sync will try again {when}.")
