"""A small SSDA903 return (header, episodes, reviews, missing) as CSV files, sound for
2023-24, and the one change to it that each cross-file rule must flag."""

from __future__ import annotations

from pathlib import Path

FILES = {
    "header.csv": [
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
        "A1,1,01/05/2010,WBRI,UN2,,",
        "A2,2,01/01/2008,BAFR,UN2,0,",
    ],
    "episodes.csv": [
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN",
        "A1,10/04/2023,S,C2,N1,U1,PR1,01/08/2023,X1,CARPL,,,",
        "A1,01/08/2023,P,C2,N1,U3,PR1,,,,,,",
        "A2,01/06/2023,S,V2,N4,K2,PR4,01/12/2023,E4A,,,,",
    ],
    "reviews.csv": ["CHILD,DOB,REVIEW,REVIEW_CODE", "A1,01/05/2010,05/05/2023,PN1"],
    "missing.csv": [
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "A1,01/05/2010,M,01/05/2023,02/05/2023",
        "A1,01/05/2010,A,01/06/2023,03/06/2023",
    ],
}

# cross-file rule → (file, old text, new text): the change that breaks it
BREAKS: dict[str, tuple[str, str, str]] = {
    "903 302": ("header.csv", "A1,1,01/05/2010", "A1,1,01/05/2023"),  # born after entering care
    "903 352": ("header.csv", "A2,2,01/01/2008", "A2,2,01/05/2005"),  # 18 when care began
    "903 INT08": ("reviews.csv", "A1,01/05/2010,05/05/2023", "ZZ,01/05/2010,05/05/2023"),
    "903 INT04": ("missing.csv", "A1,01/05/2010,A,", "ZZ,01/05/2010,A,"),
}


def texts(broken: tuple[str, ...] = ()) -> dict[str, str]:
    """Each file's text, with the changes that break the rules named."""
    out = {name: "\n".join(lines) + "\n" for name, lines in FILES.items()}
    for rule in broken:
        name, old, new = BREAKS[rule]
        assert old in out[name], rule
        out[name] = out[name].replace(old, new)
    return out


def write_set(folder: Path, broken: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts(broken).items():
        if name not in skip:
            (folder / name).write_text(text, encoding="utf-8")
    return folder
