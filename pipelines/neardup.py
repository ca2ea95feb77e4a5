"""Near-duplicate detection for syndicated news: MinHash signatures with LSH, in numpy.

Signatures are one-permutation MinHash (one hash per character 5-gram of the normalized text, split
into bins, each bin's minimum, empty bins filled by rotation): 128 bins over the whole body and 64 over
its first 300 characters, so a copy cut down to its lead still meets the original. The index keeps the
signatures as uint16 matrices and each LSH band as a sorted key array with its document ids.

Why not datasketch: its MinHash hashes every shingle once per permutation in Python (about 400 documents
a second here) and its LSH keeps a Python dict entry per band and document (kilobytes per document);
this does 2,000-character documents in tens of microseconds and stays under a kilobyte a document.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

SHINGLE = 5
FULL_BINS, LEAD_BINS = 128, 64
LEAD_CHARS = 300
FULL_BANDS, LEAD_BANDS, ROWS = 32, 16, 4
# Decision thresholds (estimated Jaccard of full bodies; of leads), chosen on bench/dedup_quality.py.
FULL_THRESHOLD = 0.5
LEAD_THRESHOLD = 0.7
MIN_LEAD = 100  # a lead shorter than this (normalized characters) does not decide on its own
_MERGE_EVERY = 2048
_ALNUM = np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_U16 = npt.NDArray[np.uint16]


def _codes(text: str) -> npt.NDArray[np.uint64]:
    """The code points of the text's letters and digits, NFKC and lower case: spacing, punctuation and
    markup do not make two copies differ. A lookup table, where a regex costs 80 µs a body."""
    codes = np.frombuffer(unicodedata.normalize("NFKC", text).lower().encode("utf-32-le"), dtype=np.uint32)
    keep = np.ones(len(codes), dtype=bool)
    bmp = codes < 0x10000
    keep[bmp] = _ALNUM[codes[bmp]]
    return codes[keep].astype(np.uint64)


def _shingles(codes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    count = len(codes) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        hashes = hashes * np.uint64(0x100000001B3) + codes[offset : offset + count]
    hashes *= _MIX
    hashes ^= hashes >> np.uint64(29)
    return hashes


def _oph(hashes: npt.NDArray[np.uint64], bins: int) -> _U16 | None:
    if not len(hashes):
        return None
    slots = (hashes % np.uint64(bins)).astype(np.intp)
    values = np.full(bins, _EMPTY, dtype=np.uint64)
    np.minimum.at(values, slots, hashes >> np.uint64(8))
    empty = values == _EMPTY
    if empty.any():
        # Rotation densification: an empty bin borrows the next filled bin's value, marked by the distance.
        filled = np.flatnonzero(~empty)
        missing = np.flatnonzero(empty)
        source = filled[np.searchsorted(filled, missing) % len(filled)]
        distance = (source - missing) % bins
        values[missing] = values[source] + distance.astype(np.uint64) * _MIX
    return (values & np.uint64(0xFFFF)).astype(np.uint16)


@dataclass(frozen=True)
class Signature:
    full: _U16
    lead: _U16
    lead_chars: int

    def to_bytes(self) -> bytes:
        return self.full.tobytes() + self.lead.tobytes() + self.lead_chars.to_bytes(2, "little")

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        full = np.frombuffer(data, dtype=np.uint16, count=FULL_BINS)
        lead = np.frombuffer(data, dtype=np.uint16, count=LEAD_BINS, offset=FULL_BINS * 2)
        return cls(full, lead, int.from_bytes(data[(FULL_BINS + LEAD_BINS) * 2 :], "little"))


def signature(text: str) -> Signature | None:
    """The signature of a body, or None when it is too short to have one."""
    codes = _codes(text)
    hashes = _shingles(codes)
    full = _oph(hashes, FULL_BINS)
    lead = _oph(hashes[: max(0, min(len(codes), LEAD_CHARS) - SHINGLE + 1)], LEAD_BINS)
    if full is None or lead is None:
        return None
    return Signature(full, lead, min(len(codes), LEAD_CHARS))


def similarity(a: _U16, b: _U16) -> float:
    """Estimated Jaccard similarity: the share of bins that agree."""
    return float(np.mean(a == b))


def _band_keys(sig: npt.NDArray[np.uint16], bands: int) -> npt.NDArray[np.uint32]:
    rows = np.ascontiguousarray(sig[..., : bands * ROWS]).view(np.uint64)  # 4 uint16 make one band value
    return ((rows * _MIX) >> np.uint64(32)).astype(np.uint32)


class _Bands:
    """LSH buckets of every band in one sorted array of (band, key) (a binary search finds them all at
    once), plus a small unsorted block of the newest documents."""

    def __init__(self, bands: int) -> None:
        self.bands = bands
        self.offsets = np.arange(bands, dtype=np.uint64) << np.uint64(32)
        self.keys = np.empty(0, dtype=np.uint64)
        self.ids = np.empty(0, dtype=np.uint32)
        self.pending = np.empty((_MERGE_EVERY, bands), dtype=np.uint64)
        self.pending_ids = np.empty(_MERGE_EVERY, dtype=np.uint32)
        self.count = 0

    def add(self, doc: int, keys: npt.NDArray[np.uint32]) -> None:
        self.pending[self.count], self.pending_ids[self.count] = self.offsets | keys, doc
        self.count += 1
        if self.count == _MERGE_EVERY:
            self.merge()

    def merge(self) -> None:
        if not self.count:
            return
        keys = np.concatenate([self.keys, self.pending[: self.count].ravel()])
        ids = np.concatenate([self.ids, np.repeat(self.pending_ids[: self.count], self.bands)])
        order = np.argsort(keys, kind="stable")
        self.keys, self.ids, self.count = keys[order], ids[order], 0

    def candidates(self, keys: npt.NDArray[np.uint32]) -> set[int]:
        query = self.offsets | keys
        low, high = np.searchsorted(self.keys, query, "left"), np.searchsorted(self.keys, query, "right")
        found: set[int] = set()
        for start, end in zip(low[high > low].tolist(), high[high > low].tolist(), strict=True):
            found.update(self.ids[start:end].tolist())
        if self.count:
            hits = (self.pending[: self.count] == query).any(axis=1)
            found.update(self.pending_ids[: self.count][hits].tolist())
        return found


@dataclass(frozen=True)
class Match:
    key: str
    full: float
    lead: float


def verdicts(
    sig: Signature, keys: list[str], full: _U16, lead: _U16, lead_chars: npt.NDArray[np.uint16]
) -> list[Match]:
    """The candidates (their keys and signature rows) that are near-duplicates of `sig`, best first."""
    full_score = (full == sig.full).mean(axis=1)
    lead_score = (lead == sig.lead).mean(axis=1)
    short = np.minimum(lead_chars, sig.lead_chars) < MIN_LEAD
    hit = np.flatnonzero((full_score >= FULL_THRESHOLD) | ((lead_score >= LEAD_THRESHOLD) & ~short))
    order = hit[np.argsort(-np.maximum(full_score, lead_score)[hit], kind="stable")]
    return [Match(keys[i], float(full_score[i]), float(lead_score[i])) for i in order]


class NearDuplicateIndex:
    """Documents by key (a URL), each with its signature and the first-seen document of its cluster;
    only first-seen documents are in the LSH buckets."""

    def __init__(self, capacity: int = 1024) -> None:
        self.full = np.empty((capacity, FULL_BINS), dtype=np.uint16)
        self.lead = np.empty((capacity, LEAD_BINS), dtype=np.uint16)
        self.lead_chars = np.empty(capacity, dtype=np.uint16)
        self.root = np.empty(capacity, dtype=np.uint32)
        self.keys: list[str] = []
        self.ids: dict[str, int] = {}
        self.full_bands, self.lead_bands = _Bands(FULL_BANDS), _Bands(LEAD_BANDS)

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        return key in self.ids

    def _grow(self) -> None:
        size = len(self.full) * 2
        for name in ("full", "lead", "lead_chars", "root"):
            old = getattr(self, name)
            new = np.empty((size, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def add(self, key: str, sig: Signature, duplicate_of: str | None = None) -> None:
        """Index a document; a near-duplicate joins the cluster of the document it copies."""
        if key in self.ids:
            return
        doc = len(self.keys)
        if doc == len(self.full):
            self._grow()
        self.full[doc], self.lead[doc], self.lead_chars[doc] = sig.full, sig.lead, sig.lead_chars
        self.root[doc] = self.root[self.ids[duplicate_of]] if duplicate_of in self.ids else doc
        self.keys.append(key)
        self.ids[key] = doc
        if duplicate_of is None:
            # Only a cluster's first article goes into the buckets: its copies would find each other
            # through it anyway, and a story copied a hundred times would fill every bucket it touches.
            self.full_bands.add(doc, _band_keys(sig.full, FULL_BANDS))
            self.lead_bands.add(doc, _band_keys(sig.lead, LEAD_BANDS))

    def matches(self, sig: Signature, exclude: str | None = None) -> list[Match]:
        """Indexed documents whose full body or lead is estimated close enough to `sig`'s, best first."""
        found = self.full_bands.candidates(_band_keys(sig.full, FULL_BANDS)) | self.lead_bands.candidates(
            _band_keys(sig.lead, LEAD_BANDS)
        )
        if exclude in self.ids:
            found.discard(self.ids[exclude])
        if not found:
            return []
        docs = np.fromiter(found, dtype=np.intp)
        return verdicts(
            sig, [self.keys[d] for d in docs], self.full[docs], self.lead[docs], self.lead_chars[docs]
        )

    def first_seen(self, key: str) -> str:
        """The first-seen document of the cluster `key` belongs to."""
        return self.keys[int(self.root[self.ids[key]])]


class RedisNearDuplicateIndex:
    """The same index in Redis, shared by every crawler process of a distributed crawl: signatures and
    cluster roots in two hashes, each LSH bucket a set. Nothing to rebuild when a process starts.

    Bounded by age: a sorted set keeps when each document came, and documents older than `max_days`
    (syndicated copies come within days; 0 keeps all) leave every structure, checked when a crawl opens
    the index and every `TRIM_EVERY` additions after."""

    TRIM_EVERY = 500

    def __init__(self, client: Any, prefix: str | None = None, max_days: float | None = 30) -> None:
        self.redis = client
        self.prefix = prefix or "news:neardup"
        self.max_age = (max_days if max_days is not None else 30) * 86400
        self.added = 0

    def open(self, now: float | None = None) -> None:
        """At a crawl's start: date the documents an index of an earlier version holds undated (from
        now), once, then remove what is past the age limit."""
        now = now if now is not None else time.time()
        if not self.redis.exists(f"{self.prefix}:dated"):
            for keys in _chunks(k for k, _ in self.redis.hscan_iter(f"{self.prefix}:sig")):
                self.redis.zadd(f"{self.prefix}:added", dict.fromkeys(keys, now), nx=True)
            self.redis.set(f"{self.prefix}:dated", 1)  # after, so that an interrupted pass is done again
        self.trim(now)

    def _bucket_names(self, sig: Signature) -> list[str]:
        full = [f"{self.prefix}:f{b}:{k}" for b, k in enumerate(_band_keys(sig.full, FULL_BANDS).tolist())]
        lead = [f"{self.prefix}:l{b}:{k}" for b, k in enumerate(_band_keys(sig.lead, LEAD_BANDS).tolist())]
        return full + lead

    def __len__(self) -> int:
        return int(self.redis.hlen(f"{self.prefix}:sig"))

    def __contains__(self, key: str) -> bool:
        return bool(self.redis.hexists(f"{self.prefix}:sig", key))

    def add(
        self, key: str, sig: Signature, duplicate_of: str | None = None, now: float | None = None
    ) -> None:
        root = (
            self.redis.hget(f"{self.prefix}:root", duplicate_of) if duplicate_of else None
        ) or key.encode()
        with self.redis.pipeline() as pipe:
            pipe.hsetnx(f"{self.prefix}:sig", key, sig.to_bytes())
            pipe.hsetnx(f"{self.prefix}:root", key, root)
            pipe.zadd(f"{self.prefix}:added", {key: now if now is not None else time.time()}, nx=True)
            if duplicate_of is None:  # as in NearDuplicateIndex: only first articles fill the buckets
                for bucket in self._bucket_names(sig):
                    pipe.sadd(bucket, key)
            pipe.execute()
        self.added += 1
        if self.added % self.TRIM_EVERY == 0:
            self.trim()

    def trim(self, now: float | None = None) -> int:
        """Removes the documents older than the index's age limit; how many went."""
        if not self.max_age:
            return 0
        cutoff = (now if now is not None else time.time()) - self.max_age
        old = self.redis.zrangebyscore(f"{self.prefix}:added", "-inf", cutoff)
        if not old:
            return 0
        sigs = self.redis.hmget(f"{self.prefix}:sig", old)
        with self.redis.pipeline() as pipe:
            for key, data in zip(old, sigs, strict=True):
                if data is not None:
                    for bucket in self._bucket_names(Signature.from_bytes(data)):
                        pipe.srem(bucket, key)
            pipe.hdel(f"{self.prefix}:sig", *old)
            pipe.hdel(f"{self.prefix}:root", *old)
            pipe.zrem(f"{self.prefix}:added", *old)
            pipe.execute()
        return len(old)

    def matches(self, sig: Signature, exclude: str | None = None) -> list[Match]:
        with self.redis.pipeline() as pipe:
            for bucket in self._bucket_names(sig):
                pipe.smembers(bucket)
            found = set().union(*pipe.execute()) - {exclude.encode() if exclude else b""}
        if not found:
            return []
        keys = sorted(found)
        sigs = [Signature.from_bytes(data) for data in self.redis.hmget(f"{self.prefix}:sig", keys)]
        return verdicts(
            sig,
            [k.decode() for k in keys],
            np.array([s.full for s in sigs]),
            np.array([s.lead for s in sigs]),
            np.array([s.lead_chars for s in sigs], dtype=np.uint16),
        )

    def first_seen(self, key: str) -> str:
        root = self.redis.hget(f"{self.prefix}:root", key)
        return root.decode() if root else key


def _chunks(items: Any, size: int = 1000) -> Any:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
