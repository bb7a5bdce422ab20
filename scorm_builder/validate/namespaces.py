"""Namespace URIs of SCORM manifests and the prefixes LMSs expect for them."""
from __future__ import annotations

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"

CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"

XML = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"

# Moodle matches extension prefixes literally: any other prefix is silently ignored.
EXPECTED_PREFIXES: dict[str, str] = {
    ADLCP12: "adlcp",
    ADLCP2004: "adlcp",
    IMSSS: "imsss",
    ADLSEQ: "adlseq",
    ADLNAV: "adlnav",
}

# For readable messages: Clark names `{uri}local` are shown as `prefix:local`.
DISPLAY_PREFIXES: dict[str, str] = {
    **EXPECTED_PREFIXES,
    CP12: "",
    CP2004: "",
    IMSMD12: "imsmd",
    LOM: "lom",
    XML: "xml",
    XSI: "xsi",
}


def display_name(clark: str) -> str:
    """`{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype` -> `adlcp:scormtype`."""
    if not clark.startswith("{"):
        return clark
    uri, _, local = clark[1:].partition("}")
    prefix = DISPLAY_PREFIXES.get(uri)
    if prefix is None:
        return clark
    return f"{prefix}:{local}" if prefix else local
