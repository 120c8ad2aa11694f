"""Small NVD and JVN fixture files, written by the tests (never downloaded)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson

V31_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"  # 7.5
V31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
V2_MEDIUM = "AV:N/AC:M/Au:N/C:P/I:N/A:N"  # 4.3


def nvd_cve(cve_id: str, *, vector: str | None = V31_HIGH, modified: str = "2024-05-01T10:00:00.000",
            cwe: str = "CWE-79", v2: str | None = None, secondary: str | None = None) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    if vector:
        metrics["cvssMetricV31"] = [{"source": "nvd@nist.gov", "type": "Primary",
                                     "cvssData": {"version": "3.1", "vectorString": vector, "baseScore": 0.0}}]
    if secondary:
        metrics.setdefault("cvssMetricV31", []).insert(
            0, {"source": "cna@example.org", "type": "Secondary", "cvssData": {"version": "3.1", "vectorString": secondary}}
        )
    if v2:
        metrics["cvssMetricV2"] = [{"source": "nvd@nist.gov", "type": "Primary",
                                    "cvssData": {"version": "2.0", "vectorString": v2, "baseScore": 4.3}}]
    return {"cve": {
        "id": cve_id, "sourceIdentifier": "cve@mitre.org", "published": "2019-06-03T17:29:00.000",
        "lastModified": modified, "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": f"Description of {cve_id}."}],
        "metrics": metrics,
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary", "description": [{"lang": "en", "value": cwe}]}],
        "references": [{"url": f"https://example.org/{cve_id}"}],
    }}


def write_nvd(path: Path, cves: list[dict[str, Any]], *, gz: bool = False) -> Path:
    doc = {"resultsPerPage": len(cves), "startIndex": 0, "totalResults": len(cves), "format": "NVD_CVE",
           "version": "2.0", "timestamp": "2024-05-02T00:00:00.000", "vulnerabilities": cves}
    data = orjson.dumps(doc)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


RSS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:sec="http://jvn.jp/rss/mod_sec/3.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:dcterms="http://purl.org/dc/terms/">
<channel rdf:about="https://jvndb.jvn.jp/apis/myjvn"><title>JVNDB 脆弱性対策情報</title></channel>
"""


def jvn_item(jvndb_id: str, cve_id: str, *, title: str, summary: str, modified: str = "2019-07-10T12:00+09:00") -> str:
    year = jvndb_id[6:10]
    return f"""<item rdf:about="https://jvndb.jvn.jp/ja/contents/{year}/{jvndb_id}.html">
<title>{title}</title>
<link>https://jvndb.jvn.jp/ja/contents/{year}/{jvndb_id}.html</link>
<description>{summary}</description>
<sec:identifier>{jvndb_id}</sec:identifier>
<sec:references source="CVE" id="{cve_id}">https://www.cve.org/CVERecord?id={cve_id}</sec:references>
<sec:references source="NVD" id="{cve_id}">https://nvd.nist.gov/vuln/detail/{cve_id}</sec:references>
<sec:cvss score="6.1" severity="Medium" version="3.0" type="Base"/>
<dc:date>{modified}</dc:date>
<dcterms:issued>2019-07-05T12:00+09:00</dcterms:issued>
<dcterms:modified>{modified}</dcterms:modified>
</item>
"""


def write_jvn_rss(path: Path, items: list[str]) -> Path:
    path.write_text(RSS_HEAD + "".join(items) + "</rdf:RDF>\n", encoding="utf-8")
    return path


def write_vuldef(path: Path, jvndb_id: str, cve_id: str, *, title: str, overview: str) -> Path:
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<VULDEF-Document version="3.2" xmlns="http://www.ipa.go.jp/security/vuln/vuldef_3.2"
 xmlns:vuldef="http://www.ipa.go.jp/security/vuln/vuldef_3.2">
<Vulinfo>
 <VulinfoID>{jvndb_id}</VulinfoID>
 <VulinfoData>
  <Title>{title}</Title>
  <VulinfoDescription><Overview>{overview}</Overview></VulinfoDescription>
  <Related>
   <RelatedItem type="advisory"><Name>Common Vulnerabilities and Exposures (CVE)</Name>
    <VulinfoID>{cve_id}</VulinfoID><URL>https://www.cve.org/CVERecord?id={cve_id}</URL></RelatedItem>
   <RelatedItem type="cwe"><Name>CWE</Name><VulinfoID>CWE-79</VulinfoID></RelatedItem>
  </Related>
  <DateFirstPublished>2019-07-05T12:00+09:00</DateFirstPublished>
  <DateLastUpdated>2019-07-10T12:00+09:00</DateLastUpdated>
 </VulinfoData>
</Vulinfo>
</VULDEF-Document>
""", encoding="utf-8")
    return path
