"""Canonical URLs: one spelling per article, whatever link, tracking tag, host variant or Naver form it came by.

`clean_url` gives a real, fetchable URL without tracking parameters and with Naver's forms folded into
`n.news.naver.com/mnews/article/OID/AID`; `identity` folds further (scheme, `www.`/`m.`/`mobile.`, AMP)
into the key two URLs of the same article share; `url_key` hashes that key for database indexes.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Tracking parameters anywhere, and the sites' own (etnews `mc`, Naver `cds`, `type`, `sid`...).
TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|ref|ref_src|from)$",
    re.I,
)
SITE_TRACKING = {
    "etnews.com": {"mc"},
    "news.naver.com": {
        "cds",
        "type",
        "sid",
        "sid1",
        "sid2",
        "mode",
        "mid",
        "rc",
        "f",
        "lfrom",
        "ntype",
        "cid",
    },
    "yna.co.kr": {"section", "site", "input"},
}
_HOST_PREFIX_RE = re.compile(r"^(?:www\d?|m|mobile|amp)\.")
_AMP_PATH_RE = re.compile(r"(?:^|/)amp(?=/)", re.I)
_NAVER_PATH_RE = re.compile(r"^/(?:mnews/)?article/(\d+)/(\d+)")


def _site_params(host: str) -> set[str]:
    return next(
        (params for site, params in SITE_TRACKING.items() if host == site or host.endswith(f".{site}")), set()
    )


def clean_url(url: str) -> str:
    """`url` without tracking parameters or fragment, Naver's forms as one; otherwise as fetched."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    naver = _naver(host, parts.path, parts.query)
    if naver:
        return naver
    drop = _site_params(host)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING.match(k) and k not in drop
    ]
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def _naver(host: str, path: str, query: str) -> str | None:
    """Every Naver News article form (`main/read.naver?oid&aid`, `mnews/article/O/A`, `article/O/A`,
    `m.news.naver.com/read.nhn`) as `https://n.news.naver.com/mnews/article/O/A`."""
    if not host.endswith("news.naver.com"):
        return None
    match = _NAVER_PATH_RE.match(path)
    if match:
        return f"https://n.news.naver.com/mnews/article/{match[1]}/{match[2]}"
    params = dict(parse_qsl(query))
    if re.search(r"/read\.(?:naver|nhn)$", path) and params.get("oid") and params.get("aid"):
        return f"https://n.news.naver.com/mnews/article/{params['oid']}/{params['aid']}"
    return None


def identity(url: str) -> str:
    """The key the variants of one article's URL share: clean, then https, no `www.`/`m.`/`mobile.`/`amp.`
    host prefix, no AMP path segment, w3lib's canonical query order."""
    parts = urlsplit(clean_url(url))
    host = _HOST_PREFIX_RE.sub("", (parts.hostname or "").lower())
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in {80, 443}:
        host = f"{host}:{port}"  # another port is another server
    path = _AMP_PATH_RE.sub("", parts.path) or "/"
    return canonicalize_url(urlunsplit(("https", host, path.rstrip("/") or "/", parts.query, "")))


@lru_cache(maxsize=65536)  # the middleware, dedup and the store each ask for the same few URLs' keys
def url_key(url: str) -> str:
    """SHA-1 of the URL's identity: the index key of articles and aliases."""
    return hashlib.sha1(identity(url).encode("utf-8")).hexdigest()


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on one site (registrable domain, Korean second levels such as co.kr counted)."""
    return _site(urlsplit(a).hostname) == _site(urlsplit(b).hostname)


def _site(host: str | None) -> str:
    labels = (host or "").lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in {"co", "or", "ne", "go", "ac", "re", "pe"} else 2
    return ".".join(labels[-keep:])
