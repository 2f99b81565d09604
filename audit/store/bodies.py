"""Raw response bodies, compressed on disk and addressed by their SHA-256.

An unchanged page is stored once however many runs fetch it, and every finding can show the
page exactly as it was fetched. Files are written to a temporary name and renamed, so a crash
never leaves a truncated body behind a name. The folder may be shared by several machines (a
network filesystem mounted on every worker, `[store] bodies_dir`): a temporary name is unique
across machines, and two workers storing the same body both rename the same bytes to one name.
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from minhbach.audit.files import replace_atomically


class BodyStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    @staticmethod
    def digest(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.gz"

    def put(self, body: bytes, sha256: str | None = None) -> str:
        sha256 = sha256 or self.digest(body)
        path = self.path_for(sha256)
        if path.exists():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        replace_atomically(path, lambda temporary: temporary.write_bytes(compressed))
        return sha256

    def get(self, sha256: str) -> bytes:
        return gzip.decompress(self.path_for(sha256).read_bytes())

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
