"""Fixed vocabularies for synthetic 1988-like lists: groups, prisons, burial sites, labels, headers.

These are *parameters* that make synthetic lists look like the published ones (prison names,
provinces, political groups, Persian and English column headers). They describe no real person.
Every label has a Persian and one or more English spellings so that lists can disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A category value: its code, Persian spellings and Latin spellings (first = usual one)."""

    code: str
    fa: tuple[str, ...]
    en: tuple[str, ...]


@dataclass(frozen=True)
class Prison:
    """A prison where 1988 executions were reported, with its city and province labels."""

    label: Label
    city: Label
    province: Label
    weight: float


# Political affiliations. `group` drives the wave of execution: "mek" in the first wave
# (Mordad 1367), "left" in the second (Shahrivar 1367), "kurd" spread over both.
AFFILIATIONS: tuple[tuple[Label, str, float], ...] = (
    (
        Label(
            "MEK",
            ("سازمان مجاهدین خلق", "مجاهدین خلق", "مجاهدین", "هوادار مجاهدین"),
            ("PMOI (Mojahedin)", "MEK", "Mojahedin-e Khalq", "Mujahedin", "PMOI supporter"),
        ),
        "mek",
        0.68,
    ),
    (
        Label(
            "FDA",
            ("فداییان خلق (اقلیت)", "فدائیان اقلیت", "اقلیت"),
            ("Fadaian (Minority)", "Fedaian Aqaliyat", "OIPF (Minority)"),
        ),
        "left",
        0.06,
    ),
    (
        Label(
            "FDK",
            ("فداییان خلق (اکثریت)", "فدائیان اکثریت", "اکثریت"),
            ("Fadaian (Majority)", "Fedaian Aksariyat", "OIPF (Majority)"),
        ),
        "left",
        0.04,
    ),
    (
        Label(
            "TUD",
            ("حزب توده ایران", "حزب توده", "توده"),
            ("Tudeh Party", "Tudeh Party of Iran", "Tudeh"),
        ),
        "left",
        0.07,
    ),
    (Label("PEY", ("سازمان پیکار", "پیکار"), ("Peykar", "Paykar Organisation")), "left", 0.03),
    (
        Label("RAH", ("سازمان راه کارگر", "راه کارگر"), ("Rah-e Kargar", "Rahe Kargar")),
        "left",
        0.03,
    ),
    (Label("KOM", ("کومله", "سازمان کومله"), ("Komala", "Komaleh")), "kurd", 0.04),
    (
        Label("KDP", ("حزب دموکرات کردستان", "دموکرات"), ("KDPI", "Kurdistan Democratic Party")),
        "kurd",
        0.02,
    ),
    (Label("OTH", ("سایر گروه‌های چپ", "چپ"), ("Other left", "Leftist")), "left", 0.03),
)


def _place(code: str, fa: str, *en: str) -> Label:
    return Label(code, (fa,), en)


_TEHRAN = _place("TEH", "تهران", "Tehran")
PRISONS: tuple[Prison, ...] = (
    Prison(
        Label("EVIN", ("زندان اوین", "اوین"), ("Evin", "Evin Prison")),
        _place("THR", "تهران", "Tehran"),
        _TEHRAN,
        0.24,
    ),
    Prison(
        Label(
            "GOHR",
            ("زندان گوهردشت", "گوهردشت", "زندان رجایی‌شهر"),
            ("Gohardasht", "Gohardasht Prison", "Rajaei Shahr"),
        ),
        _place("KRJ", "کرج", "Karaj"),
        _TEHRAN,
        0.20,
    ),
    Prison(
        Label("VAKL", ("زندان وکیل‌آباد", "وکیل‌آباد مشهد"), ("Vakilabad", "Vakil Abad (Mashhad)")),
        _place("MSH", "مشهد", "Mashhad"),
        _place("KHO", "خراسان", "Khorasan"),
        0.06,
    ),
    Prison(
        Label("ADEL", ("زندان عادل‌آباد", "عادل‌آباد شیراز"), ("Adelabad", "Adel Abad (Shiraz)")),
        _place("SHZ", "شیراز", "Shiraz"),
        _place("FAR", "فارس", "Fars"),
        0.05,
    ),
    Prison(
        Label(
            "TABR", ("زندان تبریز", "زندان مرکزی تبریز"), ("Tabriz Prison", "Tabriz central prison")
        ),
        _place("TBZ", "تبریز", "Tabriz"),
        _place("EAZ", "آذربایجان شرقی", "East Azerbaijan"),
        0.05,
    ),
    Prison(
        Label("DAST", ("زندان دستگرد", "دستگرد اصفهان"), ("Dastgerd", "Dastgerd (Esfahan)")),
        _place("ESF", "اصفهان", "Esfahan", "Isfahan"),
        _place("ESP", "اصفهان", "Esfahan"),
        0.06,
    ),
    Prison(
        Label("KARN", ("زندان کارون", "کارون اهواز"), ("Karoun", "Karun Prison (Ahvaz)")),
        _place("AHV", "اهواز", "Ahvaz", "Ahwaz"),
        _place("KHZ", "خوزستان", "Khuzestan"),
        0.05,
    ),
    Prison(
        Label("DEZF", ("زندان دزفول",), ("Dezful Prison", "Dezful")),
        _place("DEZ", "دزفول", "Dezful"),
        _place("KHZ", "خوزستان", "Khuzestan"),
        0.04,
    ),
    Prison(
        Label("DIZL", ("زندان دیزل‌آباد", "دیزل‌آباد"), ("Dizelabad", "Diesel Abad (Kermanshah)")),
        _place("KSH", "کرمانشاه", "Kermanshah", "Bakhtaran"),
        _place("KSP", "کرمانشاه", "Kermanshah", "Bakhtaran"),
        0.06,
    ),
    Prison(
        Label("LAKN", ("زندان لاکان", "لاکان رشت"), ("Lakan", "Lakan Prison (Rasht)")),
        _place("RSH", "رشت", "Rasht"),
        _place("GIL", "گیلان", "Gilan"),
        0.04,
    ),
    Prison(
        Label("ZANJ", ("زندان زنجان",), ("Zanjan Prison", "Zanjan")),
        _place("ZNJ", "زنجان", "Zanjan"),
        _place("ZNP", "زنجان", "Zanjan"),
        0.03,
    ),
    Prison(
        Label("HAMD", ("زندان همدان",), ("Hamedan Prison", "Hamadan")),
        _place("HMD", "همدان", "Hamedan", "Hamadan"),
        _place("HMP", "همدان", "Hamedan"),
        0.03,
    ),
    Prison(
        Label("ZAHD", ("زندان زاهدان",), ("Zahedan Prison", "Zahedan")),
        _place("ZHD", "زاهدان", "Zahedan"),
        _place("SIB", "سیستان و بلوچستان", "Sistan and Baluchestan"),
        0.02,
    ),
    Prison(
        Label("ILAM", ("زندان ایلام",), ("Ilam Prison", "Ilam")),
        _place("ILM", "ایلام", "Ilam"),
        _place("ILP", "ایلام", "Ilam"),
        0.02,
    ),
    Prison(
        Label("SANA", ("زندان سنندج",), ("Sanandaj Prison", "Sanandaj")),
        _place("SND", "سنندج", "Sanandaj"),
        _place("KRD", "کردستان", "Kurdistan"),
        0.03,
    ),
    Prison(
        Label("QOM", ("زندان قم",), ("Qom Prison", "Qom")),
        _place("QOM", "قم", "Qom"),
        _TEHRAN,
        0.02,
    ),
)

# Prisons that Kurdish groups' members were mostly held in (their weight is boosted).
KURDISH_PRISONS = frozenset({"SANA", "DIZL", "TABR", "ILAM", "ZANJ", "HAMD"})

# Burial sites; "UNK" (not known) is the most common value in real lists.
BURIALS: tuple[Label, ...] = (
    Label("UNK", ("نامعلوم", "نامشخص"), ("unknown", "Unknown", "not known")),
    Label("KHAV", ("خاوران", "گورستان خاوران"), ("Khavaran", "Khavaran cemetery")),
    Label("BZAH", ("بهشت زهرا",), ("Behesht-e Zahra", "Behesht Zahra")),
    Label("BREZ", ("بهشت رضا",), ("Behesht-e Reza", "Behesht Reza (Mashhad)")),
    Label("BABD", ("بهشت‌آباد",), ("Behesht Abad", "Behesht-Abad (Ahvaz)")),
    Label("VRAH", ("وادی رحمت",), ("Vadi-e Rahmat", "Vadieh Rahmat")),
    Label("TAZE", ("تازه‌آباد",), ("Tazeh Abad", "Tazehabad (Rasht)")),
    Label("SALE", ("صالح‌آباد",), ("Saleh Abad", "Salehabad (Ilam)")),
)
# Known burial site per prison (used with a probability; the rest are "unknown").
LOCAL_BURIAL = {
    "VAKL": "BREZ",
    "KARN": "BABD",
    "DEZF": "BABD",
    "TABR": "VRAH",
    "LAKN": "TAZE",
    "ILAM": "SALE",
}

SEX = (Label("M", ("مرد", "م"), ("M", "Male", "m")), Label("F", ("زن", "ز"), ("F", "Female", "f")))

SAYYID_FA = {"M": "سید", "F": "سیده"}
SAYYID_EN = {
    "M": ("Seyed", "Seyyed", "Sayed", "Sayyid", "Seyd"),
    "F": ("Seyedeh", "Seyyedeh", "Sayyida", "Seyedeh"),
}

SH_MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
SH_MONTHS_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
GREG_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Column headers. A list picks one set; the importer must recognise all of these.
FIELDS = (
    "synthetic",
    "row_no",
    "full_name",
    "given",
    "surname",
    "father",
    "sex",
    "birth_year",
    "birth_date",
    "age",
    "exec_date",
    "prison",
    "exec_place",
    "province",
    "affiliation",
    "burial",
)
HEADER_SETS: dict[str, dict[str, str]] = {
    "fa": {
        "row_no": "ردیف",
        "full_name": "نام و نام خانوادگی",
        "given": "نام",
        "surname": "نام خانوادگی",
        "father": "نام پدر",
        "sex": "جنسیت",
        "birth_year": "سال تولد",
        "birth_date": "تاریخ تولد",
        "age": "سن",
        "exec_date": "تاریخ اعدام",
        "prison": "زندان",
        "exec_place": "محل اعدام",
        "province": "استان",
        "affiliation": "وابستگی سازمانی",
        "burial": "محل دفن",
    },
    "fa2": {
        "row_no": "شماره",
        "full_name": "نام کامل",
        "given": "نام",
        "surname": "نام‌خانوادگی",
        "father": "نام پدر",
        "sex": "جنسیت",
        "birth_year": "متولد",
        "birth_date": "تاریخ تولد",
        "age": "سن",
        "exec_date": "تاریخ شهادت",
        "prison": "زندان",
        "exec_place": "محل اعدام",
        "province": "استان",
        "affiliation": "گرایش سیاسی",
        "burial": "محل دفن",
    },
    "en": {
        "row_no": "No.",
        "full_name": "Full name",
        "given": "First name",
        "surname": "Surname",
        "father": "Father's name",
        "sex": "Sex",
        "birth_year": "Year of birth",
        "birth_date": "Date of birth",
        "age": "Age",
        "exec_date": "Date of execution",
        "prison": "Prison",
        "exec_place": "Place of execution",
        "province": "Province",
        "affiliation": "Affiliation",
        "burial": "Burial place",
    },
    "en2": {
        "row_no": "#",
        "full_name": "Name",
        "given": "Given name",
        "surname": "Last name",
        "father": "Father name",
        "sex": "Gender",
        "birth_year": "Birth year",
        "birth_date": "DOB",
        "age": "Age at death",
        "exec_date": "Execution date",
        "prison": "Place of detention",
        "exec_place": "Place of execution",
        "province": "Province",
        "affiliation": "Political affiliation",
        "burial": "Place of burial",
    },
    "bi": {
        "row_no": "ردیف / No.",
        "full_name": "نام / Name",
        "given": "نام / First name",
        "surname": "نام خانوادگی / Surname",
        "father": "نام پدر / Father",
        "sex": "جنسیت / Sex",
        "birth_year": "سال تولد / Born",
        "birth_date": "تاریخ تولد / Date of birth",
        "age": "سن / Age",
        "exec_date": "تاریخ اعدام / Date of death",
        "prison": "زندان / Prison",
        "exec_place": "محل اعدام / Place of execution",
        "province": "استان / Province",
        "affiliation": "سازمان / Organisation",
        "burial": "محل دفن / Burial",
    },
}
SYNTHETIC_HEADER = "SYNTHETIC"
SYNTHETIC_VALUE = "SYNTHETIC (fictional record)"
