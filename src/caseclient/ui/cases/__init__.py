"""One case: registers first, then events, contacts and appointments ahead."""
