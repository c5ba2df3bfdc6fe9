"""The interface's two languages: labels in English and Persian, Persian digits, both calendars.

Presentation only: which words and digits a page uses, never what it shows.
"""

from __future__ import annotations

from datetime import date, datetime

from sabt.model.dates import FuzzyDate

LANGS = ("en", "fa")
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

LABELS: dict[str, dict[str, str]] = {
    "sabt": {"en": "Sabt", "fa": "ثبت"},
    "search": {"en": "Search", "fa": "جستجو"},
    "search_hint": {"en": "A name in Persian or Latin script, any spelling",
                    "fa": "نامی به خط فارسی یا لاتین، با هر املا"},
    "kind": {"en": "Kind", "fa": "نوع"},
    "any_kind": {"en": "any kind", "fa": "همه"},
    "results": {"en": "matches", "fa": "نتیجه"},
    "no_results": {"en": "Nothing found.", "fa": "چیزی یافت نشد."},
    "score": {"en": "Score", "fa": "امتیاز"},
    "previous": {"en": "Previous", "fa": "قبلی"},
    "next": {"en": "Next", "fa": "بعدی"},
    "page": {"en": "Page", "fa": "صفحه"},
    "sign_in": {"en": "Sign in", "fa": "ورود"},
    "sign_out": {"en": "Sign out", "fa": "خروج"},
    "user": {"en": "User name", "fa": "نام کاربری"},
    "password": {"en": "Password", "fa": "گذرواژه"},
    "code": {"en": "Code (authenticator app or recovery code, if set)",
             "fa": "کد (برنامهٔ احراز هویت یا کد بازیابی، اگر تنظیم شده)"},
    "signed_in_as": {"en": "Signed in as", "fa": "واردشده با نام"},
    "public_visitor": {"en": "Public visitor", "fa": "بازدیدکنندهٔ عمومی"},
    "claims": {"en": "Claims", "fa": "ادعاها"},
    "claims_board": {"en": "Claims board", "fa": "تابلوی ادعاها"},
    "audit": {"en": "Audit log", "fa": "گزارش بازبینی"},
    "current_view": {"en": "Current view", "fa": "نمای کنونی"},
    "property": {"en": "Property", "fa": "ویژگی"},
    "value": {"en": "Value", "fa": "مقدار"},
    "conflict": {"en": "Conflicting statements", "fa": "گزاره‌های ناسازگار"},
    "statements": {"en": "Statements", "fa": "گزاره‌ها"},
    "references": {"en": "References", "fa": "منابع"},
    "unsourced": {"en": "no reference", "fa": "بی‌منبع"},
    "withheld": {"en": "Withheld", "fa": "پنهان‌شده"},
    "withheld_note": {"en": "statement(s) you may not see", "fa": "گزاره که اجازهٔ دیدنش را ندارید"},
    "withheld_refs": {"en": "reference(s) withheld", "fa": "منبع پنهان‌شده"},
    "history": {"en": "History", "fa": "تاریخچه"},
    "when": {"en": "When", "fa": "زمان"},
    "who": {"en": "Who", "fa": "چه کسی"},
    "what": {"en": "What", "fa": "چه"},
    "why": {"en": "Why", "fa": "چرا"},
    "confidence": {"en": "Confidence", "fa": "اطمینان"},
    "rank": {"en": "Rank", "fa": "رتبه"},
    "merged_from": {"en": "Merged from", "fa": "ادغام‌شده از"},
    "date": {"en": "Date", "fa": "تاریخ"},
    "claimant": {"en": "Claimant", "fa": "مدعی"},
    "figure": {"en": "Figure", "fa": "رقم"},
    "quote": {"en": "Quote", "fa": "نقل‌قول"},
    "source": {"en": "Source", "fa": "منبع"},
    "note": {"en": "Note", "fa": "یادداشت"},
    "estimates": {"en": "Stored estimates", "fa": "برآوردهای ذخیره‌شده"},
    "download_csv": {"en": "Download CSV", "fa": "دریافت CSV"},
    "subjects": {"en": "Subjects", "fa": "موضوع‌ها"},
    "outcome": {"en": "Outcome", "fa": "نتیجه"},
    "item": {"en": "Item", "fa": "مورد"},
    "detail": {"en": "Detail", "fa": "جزئیات"},
    "error": {"en": "Error", "fa": "خطا"},
    "not_found": {"en": "Not found", "fa": "یافت نشد"},
    "language": {"en": "فارسی", "fa": "English"},
}


def pick_lang(query: str | None, cookie: str | None) -> str:
    """`?lang=` first, then the cookie, else English."""
    for lang in (query, cookie):
        if lang in LANGS:
            return lang
    return "en"


def label(key: str, lang: str) -> str:
    return LABELS[key][lang]


def digits(value: object, lang: str) -> str:
    """A number (or any text) with Persian digits in the Persian interface."""
    text = str(value)
    return text.translate(_FA_DIGITS) if lang == "fa" else text


def fuzzy_date(value: FuzzyDate, lang: str) -> str:
    """A date in both calendars: the interface's own first."""
    from sabt.text import format_date

    if lang == "fa":
        return (f"{format_date(value, 'solar_hijri', 'persian')} "
                f"({format_date(value, 'gregorian', 'persian')})")
    return f"{format_date(value)} ({format_date(value, 'solar_hijri')})"


def moment(value: datetime, lang: str) -> str:
    """A time of day and date (UTC) in both calendars."""
    from sabt.text import gregorian_to_jalali

    day: date = value.date()
    y, m, d = gregorian_to_jalali(day)
    clock = value.strftime("%H:%M")
    if lang == "fa":
        return digits(f"{y:04d}/{m:02d}/{d:02d} {clock} ({day.isoformat()})", lang)
    return f"{day.isoformat()} {clock} ({y:04d}/{m:02d}/{d:02d} SH)"
