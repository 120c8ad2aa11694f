"""SBOM parsing: CycloneDX 1.2–1.7 (JSON, XML), SPDX 2.2/2.3 (JSON, tag-value) and SPDX 3.0
(JSON-LD) → plain data.

A pure engine (no Django, no ORM): `parsing.parse_sbom(data)` detects the format from the content,
reads it with a raw parser (orjson, defusedxml, a line parser); CycloneDX is first validated
against its official schema (`validation.py`, unless the caller asks for lenient reading), and
every reader checks what Renkei uses.
An object-model library costs about half a millisecond per component; this reads a
10,000-component CycloneDX JSON in well under the 0.3 s budget (see `bench/sbom`).

Invalid documents raise `SbomError(message, location)`: `location` names the field at fault as a
JSON-path-like string (`components[12].version`; the same shape for XML elements) or a line
(`line 45`) for tag-value documents and XML/JSON syntax errors.

Format-specific readers live in `cyclonedx.py`, `cyclonedx_xml.py`, `spdx.py` and `spdx3.py`, the
format detection in
`parsing.py`; this module holds the result types and the helpers they share.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from packageurl import PackageURL

# The values of `renkei.software.models.SbomFormat` (not imported: this module stays Django-free).
CYCLONEDX_JSON = "cyclonedx-json"
CYCLONEDX_XML = "cyclonedx-xml"
SPDX_JSON = "spdx-json"
SPDX_TAG_VALUE = "spdx-tv"
SPDX3_JSONLD = "spdx3-jsonld"

CYCLONEDX_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
SPDX_VERSIONS = ("SPDX-2.2", "SPDX-2.3")
SPDX3_VERSIONS = ("3.0.0", "3.0.1")

# Beyond any real product; a cap so a hostile document cannot make us build millions of objects.
MAX_COMPONENTS = 200_000

# purl type → OSV ecosystem name (https://ossf.github.io/osv-schema/#affectedpackage-field).
PURL_TYPE_TO_ECOSYSTEM = {
    "pypi": "PyPI",
    "npm": "npm",
    "maven": "Maven",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "deb": "Debian",
    "apk": "Alpine",
    "composer": "Packagist",
}
# deb and apk purls name their distribution in the namespace; Ubuntu's or Wolfi's packages must not
# be checked against Debian's or Alpine's advisories.
_DISTRO_NAMESPACE = {"deb": "debian", "apk": "alpine"}

# Hex digest lengths of the algorithms whose length we know (after `normalise_hash_alg`).
HASH_LENGTHS = {
    "md5": 32,
    "sha1": 40,
    "sha256": 64,
    "sha384": 96,
    "sha512": 128,
    "sha3-256": 64,
    "sha3-384": 96,
    "sha3-512": 128,
    "blake2b-256": 64,
    "blake2b-384": 96,
    "blake2b-512": 128,
}
HEX = re.compile(r"[0-9a-fA-F]+")
# SPDX idstring: what a licence identifier may contain.
_IDSTRING_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (Django's makemessages picks it up).

    The engine has no Django settings; callers translate `SbomError.template` themselves.
    """
    return message


class SbomError(ValueError):
    """The document is not a valid SBOM of a supported format; `location` names the field or line.

    `message` is the English text; `template` and `params` let a caller translate it:
    ``gettext(err.template).format(**err.params)`` (see `render`).
    """

    def __init__(self, message: str, location: str = "", **params: object) -> None:
        self.template = message
        self.params = params
        self.message = message.format(**params) if params else message
        self.location = location
        super().__init__(f"{self.message} ({location})" if location else self.message)

    def render(self, translate: Callable[[str], str]) -> str:
        """The message translated with `translate` (e.g. Django's gettext), placeholders filled."""
        text = translate(self.template)
        return text.format(**self.params) if self.params else text


@dataclass(slots=True)
class ParsedComponent:
    """One component of the document.

    `name` is the package's name in its ecosystem where the purl gives one (Maven `group:artifact`,
    npm `@scope/name`, Go module path, PyPI as the purl spells it); otherwise the document's name.
    `hashes` maps a lower-case algorithm (`sha256`, `sha1`, `sha3-256` …) to a lower-case hex value.
    `kind` is the CycloneDX component type (library, file, …) or "package" for SPDX.
    """

    ref: str
    name: str
    version: str = ""
    purl: str = ""
    ecosystem: str | None = None
    licences: str = ""
    hashes: dict[str, str] = field(default_factory=dict)
    supplier: str = ""
    kind: str = ""


@dataclass(slots=True)
class ParsedSbom:
    """A parsed document. Every ref in `dependencies` (parent, child) is a ref of a component."""

    format: str
    spec_version: str
    document_name: str
    components: list[ParsedComponent]
    dependencies: list[tuple[str, str]]
    file_hashes: dict[str, str]


def load_json(data: bytes) -> dict[str, Any]:
    """orjson-decode a document that must be a JSON object."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SbomError(
            gettext_noop("Malformed JSON: {error}."), f"line {exc.lineno}, column {exc.colno}", error=exc.msg
        ) from None
    if not isinstance(document, dict):
        raise SbomError(gettext_noop("The JSON document must be an object."))
    return document


# --------------------------------------------------------------------------- shared helpers


def purl_identity(purl: str, *, component: str, location: str) -> tuple[str | None, str, str]:
    """(ecosystem, package name, version) from a purl; ecosystem None where we have no OSV mapping.

    The name is the one OSV uses for the ecosystem (Maven `group:artifact`, npm `@scope/name`, Go
    and Packagist `namespace/name`); "" when the ecosystem is unmapped (the caller keeps its own).
    """
    fast = _fast_purl(purl)
    if fast is not None:
        purl_type, namespace, package, version = fast
    else:
        try:
            parsed = PackageURL.from_string(purl)
        except ValueError as exc:
            raise SbomError(
                gettext_noop("Component {component} has an invalid package URL {purl}: {error}"),
                location,
                component=component,
                purl=purl,
                error=str(exc),
            ) from None
        purl_type, namespace = parsed.type, parsed.namespace or ""
        package, version = parsed.name, parsed.version or ""
    ecosystem = PURL_TYPE_TO_ECOSYSTEM.get(purl_type)
    if ecosystem is None:
        return None, "", version
    distro = _DISTRO_NAMESPACE.get(purl_type)
    if distro is not None:
        if namespace and namespace.lower() != distro:
            return None, "", version
        name = package
    elif not namespace:
        name = package
    elif purl_type == "maven":
        name = f"{namespace}:{package}"
    else:
        name = f"{namespace}/{package}"
    return ecosystem, name, version


# packageurl-python costs ~11 µs a purl, a third of the parse budget for 10,000 components. The
# common shape — a mapped type, plain segments, a version, nothing to percent-decode except npm's
# `%40scope` — is split here with packageurl's normalisation rules (tests check both agree);
# anything else goes to packageurl.
_FAST_PURL = re.compile(
    r"pkg:(pypi|npm|maven|golang|cargo|gem|nuget|deb|apk|composer)/"
    r"((?:%40|@)?[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*)@([A-Za-z0-9._~+-]+)"
)
_LOWER_NAMESPACE = frozenset({"pypi", "composer", "apk"})
_LOWER_NAME = frozenset({"pypi", "composer", "apk", "npm"})


def _fast_purl(purl: str) -> tuple[str, str, str, str] | None:
    """(type, namespace, name, version) for a purl of the common shape; None to use packageurl."""
    # No qualifiers or subpath (the pattern stops at the version): packageurl validates those.
    match = _FAST_PURL.fullmatch(purl)
    if match is None:
        return None
    purl_type, path, version = match.groups()
    namespace, _, name = path.rpartition("/")
    if path[0] in "%@":
        # Only npm scopes may be written this way, and then as exactly `@scope/name`.
        if purl_type != "npm" or path.count("/") != 1:
            return None
        namespace = "@" + namespace.removeprefix("%40").removeprefix("@")
    # `lower` always builds a new string; most names already are lower case.
    if purl_type in _LOWER_NAMESPACE and not namespace.islower():
        namespace = namespace.lower()
    if purl_type in _LOWER_NAME:
        if not name.islower():
            name = name.lower()
        if purl_type == "pypi":
            name = name.replace("_", "-")
    return purl_type, namespace, name, version


def normalise_hash_alg(alg: str) -> str:
    """CycloneDX `SHA-256` and SPDX `SHA256` both become `sha256`; `SHA3-256` becomes `sha3-256`."""
    low = alg.strip().lower()
    if low.startswith("sha-"):
        low = "sha" + low[4:]
    return low


def check_hash(alg: str, value: str, location: str) -> str:
    """The hash value in lower case, after checking it is hex of the algorithm's length."""
    expected = HASH_LENGTHS.get(alg)
    if not HEX.fullmatch(value) or (expected is not None and len(value) != expected):
        raise SbomError(gettext_noop("The {alg} hash is not a valid hexadecimal digest."), location, alg=alg)
    return value.lower()


def licence_id_from_name(name: str) -> str:
    """A licence given by free-text name, as an SPDX identifier.

    Names that already are identifiers stay; others become `LicenseRef-…` so the combined string
    remains a valid SPDX expression (an allow-list policy then flags it for a person to look at).
    """
    cleaned = name.strip()
    if not _IDSTRING_UNSAFE.search(cleaned):
        return cleaned
    return "LicenseRef-" + _IDSTRING_UNSAFE.sub("-", cleaned).strip("-")


def combine_licences(parts: list[str]) -> str:
    """Join several licence entries of one component into one SPDX expression (all apply: AND)."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " AND ".join(f"({p})" if " " in p else p for p in parts)


def check_component_count(count: int, location: str) -> None:
    """Refuse documents beyond `MAX_COMPONENTS` before building more objects."""
    if count > MAX_COMPONENTS:
        raise SbomError(
            gettext_noop("The document lists more than {limit} components."), location, limit=MAX_COMPONENTS
        )


# ------------------------------------------------------------------------ JSON field access


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def type_error(expected: str, location: str) -> SbomError:
    # Each expected kind is its own msgid so translators see whole sentences.
    messages = {
        "string": gettext_noop("Must be a string."),
        "list": gettext_noop("Must be a list."),
        "object": gettext_noop("Must be an object."),
    }
    return SbomError(messages[expected], location)


def opt_str(obj: dict[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if type(value) is not str:
        raise type_error("string", _at(path, key))
    return value


def req_str(obj: dict[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        raise SbomError(gettext_noop("Required field {field} is missing."), _at(path, key), field=key)
    if type(value) is not str:
        raise type_error("string", _at(path, key))
    if not value.strip():
        raise SbomError(gettext_noop("Required field {field} is empty."), _at(path, key), field=key)
    return value


def opt_list(obj: dict[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if type(value) is not list:
        raise type_error("list", _at(path, key))
    return value
