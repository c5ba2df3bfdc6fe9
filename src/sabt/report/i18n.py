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
    "band_sample": {"en": "Band sample", "fa": "نمونهٔ لایه‌ای"},
    "band_sample_note": {
        "en": "Random pairs from every probability band, to measure the linkage: decide each "
              "as you would any pair. The decisions give its precision and recall and check "
              "its probabilities.",
        "fa": "جفت‌هایی تصادفی از هر بازهٔ احتمال، برای سنجش پیوند: هر یک را مانند هر جفت "
              "دیگری داوری کنید. این داوری‌ها دقت و بازیابی پیوند را می‌دهند و احتمال‌های آن را "
              "می‌سنجند."},
    "band": {"en": "band", "fa": "بازه"},
    "exports": {"en": "Exports", "fa": "برون‌بری"},
    "exports_note": {"en": "An export leaves the server with what it holds: each asks for your "
                           "password (and code) again, and the audit log records it.",
                     "fa": "برون‌بری آنچه را در خود دارد از سرور بیرون می‌برد: هر بار گذرواژه "
                           "(و کد) شما دوباره پرسیده و در گزارش بازبینی ثبت می‌شود."},
    "export_report": {"en": "Case report (one HTML file)", "fa": "گزارش پرونده (یک پروندهٔ HTML)"},
    "export_report_what": {"en": "The claims board, estimates, persons, officials, places, "
                                 "timeline and sources that you may see; what you may not see "
                                 "is left out and counted.",
                           "fa": "تابلوی ادعاها، برآوردها، افراد، مقام‌ها، مکان‌ها، گاه‌شمار و "
                                 "منابعی که اجازهٔ دیدنشان را دارید؛ باقی کنار گذاشته و شمرده "
                                 "می‌شود."},
    "export_jsonl": {"en": "Whole workspace (JSON Lines)", "fa": "کل فضای کار (JSON Lines)"},
    "export_jsonl_what": {"en": "Every record, for a new workspace (`sabt import-jsonl`); only "
                                "for those who may export everything.",
                          "fa": "همهٔ داده‌ها، برای فضای کار تازه (`sabt import-jsonl`)؛ فقط "
                                "برای کسانی که اجازهٔ برون‌بری همه چیز را دارند."},
    "report_title": {"en": "Title", "fa": "عنوان"},
    "download": {"en": "Download", "fa": "دریافت"},
    "filters": {"en": "Narrow the matches", "fa": "محدود کردن نتیجه‌ها"},
    "f_role": {"en": "Role (witness, survivor, official …)",
               "fa": "نقش (شاهد، بازمانده، مقام …)"},
    "f_list": {"en": "Named on list or source (id)", "fa": "نام‌برده در فهرست یا منبع (شناسه)"},
    "f_prison": {"en": "Prison", "fa": "زندان"},
    "f_province": {"en": "Province", "fa": "استان"},
    "f_died_from": {"en": "Died from", "fa": "تاریخ مرگ از"},
    "f_died_to": {"en": "Died until", "fa": "تاریخ مرگ تا"},
    "f_sensitivity": {"en": "Sensitivity", "fa": "حساسیت"},
    "any": {"en": "any", "fa": "همه"},
    "capped": {"en": "Many names share a word with this search: only the closest candidates "
                     "were compared. Add a word or a filter to be sure nothing is missed.",
               "fa": "نام‌های بسیاری در واژه‌ای با این جستجو مشترک‌اند: تنها نزدیک‌ترین‌ها "
                     "سنجیده شدند. برای اطمینان واژه یا فیلتری بیفزایید."},
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
    "review": {"en": "Review", "fa": "بازبینی"},
    "review_queue": {"en": "Review queue", "fa": "صف بازبینی"},
    "waiting": {"en": "waiting", "fa": "در انتظار"},
    "skipped": {"en": "skipped (they come back after the rest)",
                "fa": "ردشده (پس از بقیه بازمی‌گردند)"},
    "held": {"en": "being reviewed by others", "fa": "در دست بازبینان دیگر"},
    "nothing_to_review": {"en": "Nothing to review.", "fa": "چیزی برای بازبینی نیست."},
    "pair": {"en": "Pair", "fa": "جفت"},
    "of": {"en": "of", "fa": "از"},
    "probability": {"en": "Match probability", "fa": "احتمال یکی بودن"},
    "record": {"en": "Record", "fa": "رکورد"},
    "list": {"en": "List", "fa": "فهرست"},
    "row": {"en": "Row", "fa": "ردیف"},
    "field": {"en": "Field", "fa": "فیلد"},
    "differs": {"en": "differs", "fa": "متفاوت"},
    "why_scored": {"en": "Why the model scored this pair", "fa": "چرا مدل این امتیاز را داد"},
    "comparison": {"en": "Comparison", "fa": "مقایسه"},
    "level": {"en": "Level", "fa": "سطح"},
    "weight": {"en": "Match weight", "fa": "وزن"},
    "prior": {"en": "prior (before any comparison)", "fa": "پیشین (پیش از هر مقایسه)"},
    "total": {"en": "total", "fa": "جمع"},
    "why_note": {"en": "Weights are log2 of m/u for each level; name-frequency adjustments are "
                       "not shown, so the total can differ a little from the run's probability.",
                 "fa": "وزن‌ها لگاریتم دوی m/u هر سطح‌اند؛ تعدیل بسامد نام‌ها نشان داده نمی‌شود، "
                       "پس جمع ممکن است اندکی با احتمال اجرا فرق کند."},
    "group": {"en": "Other records of this group", "fa": "رکوردهای دیگر این گروه"},
    "match": {"en": "Match", "fa": "یکی‌اند"},
    "non_match": {"en": "Not a match", "fa": "یکی نیستند"},
    "skip": {"en": "Skip", "fa": "رد کردن"},
    "undo": {"en": "Undo", "fa": "برگرداندن"},
    "shortcuts": {"en": "Keys: m match, n not a match, s skip, u undo the last decision.",
                  "fa": "کلیدها: m یکی‌اند، n یکی نیستند، s رد کردن، u برگرداندن آخرین تصمیم."},
    "decided": {"en": "Decision recorded", "fa": "تصمیم ثبت شد"},
    "recent_decisions": {"en": "Your latest decisions", "fa": "آخرین تصمیم‌های شما"},
    "decision": {"en": "Decision", "fa": "تصمیم"},
    "undone": {"en": "undone", "fa": "برگردانده"},
    "users": {"en": "Users", "fa": "کاربران"},
    "add_user": {"en": "Add a user", "fa": "افزودن کاربر"},
    "display_name": {"en": "Display name", "fa": "نام نمایشی"},
    "roles": {"en": "Roles", "fa": "نقش‌ها"},
    "clearance": {"en": "Clearance", "fa": "سطح دسترسی"},
    "groups": {"en": "Groups (comma-separated)", "fa": "گروه‌ها (جداشده با ویرگول)"},
    "state": {"en": "State", "fa": "وضعیت"},
    "active": {"en": "active", "fa": "فعال"},
    "disabled": {"en": "disabled", "fa": "غیرفعال"},
    "reason": {"en": "Reason (kept in the history)", "fa": "دلیل (در تاریخچه می‌ماند)"},
    "confirm_password": {"en": "Your password, to confirm", "fa": "گذرواژهٔ شما، برای تأیید"},
    "confirm_code": {"en": "Your code, if you have a second factor",
                     "fa": "کد شما، اگر عامل دوم دارید"},
    "save": {"en": "Save", "fa": "ذخیره"},
    "done": {"en": "Done", "fa": "انجام شد"},
    "posts_over_time": {"en": "Posts over time", "fa": "سمت‌ها در گذر زمان"},
    "as_of": {"en": "as of", "fa": "در"},
    "undated": {"en": "undated", "fa": "بی‌تاریخ"},
    "unattributed": {"en": "attribution not given", "fa": "انتساب نامشخص"},
    "named_in": {"en": "Named in", "fa": "نام‌برده در"},
    "more_not_shown": {"en": "More items name it than are shown here.",
                       "fa": "موارد بیشتری به آن اشاره دارند که اینجا نشان داده نشده‌اند."},
    "source_record": {"en": "Source", "fa": "منبع"},
    "title": {"en": "Title", "fa": "عنوان"},
    "evidence": {"en": "Evidence files", "fa": "پرونده‌های شاهد"},
    "sha256": {"en": "SHA-256", "fa": "SHA-256"},
    "size": {"en": "Size (bytes)", "fa": "اندازه (بایت)"},
    "media_type": {"en": "Type", "fa": "نوع"},
    "collected": {"en": "Collected", "fa": "گردآوری"},
    "custody": {"en": "Custody log", "fa": "زنجیرهٔ نگهداری"},
    "text": {"en": "Text", "fa": "متن"},
    "quotes_marked": {"en": "Quotes that cite this source are marked.",
                      "fa": "نقل‌قول‌هایی که به این منبع استناد می‌کنند علامت خورده‌اند."},
    "quotes_missing": {"en": "Quotes not found in this text",
                       "fa": "نقل‌قول‌هایی که در این متن یافت نشدند"},
    "text_cut": {"en": "The text is longer than shown here.",
                 "fa": "متن بلندتر از آن است که اینجا نشان داده شده."},
    "cited_by": {"en": "Cited by", "fa": "مورد استناد در"},
    "no_items": {"en": "No file of this source is in the vault.",
                 "fa": "هیچ پرونده‌ای از این منبع در گاوصندوق نیست."},
    "lists": {"en": "Lists", "fa": "فهرست‌ها"},
    "imported_lists": {"en": "Imported lists", "fa": "فهرست‌های واردشده"},
    "records": {"en": "Records", "fa": "رکوردها"},
    "warnings": {"en": "Warnings", "fa": "هشدارها"},
    "file": {"en": "File", "fa": "پرونده"},
    "upload_list": {"en": "Upload a list", "fa": "بارگذاری فهرست"},
    "list_name": {"en": "Name of the list (its source title)", "fa": "نام فهرست (عنوان منبع)"},
    "duplicate_free": {"en": "The list names nobody twice", "fa": "هیچ‌کس دو بار در فهرست نیست"},
    "preview": {"en": "Preview", "fa": "پیش‌نمایش"},
    "preview_note": {"en": "Nothing is written yet: check how the file is read, then import it.",
                     "fa": "هنوز چیزی نوشته نشده: نحوهٔ خوانده‌شدن را بررسی و سپس وارد کنید."},
    "header": {"en": "Header", "fa": "سرستون"},
    "kept_raw": {"en": "kept raw, not used", "fa": "خام نگه داشته می‌شود، به کار نمی‌رود"},
    "compared_as": {"en": "compared as", "fa": "مقایسه به‌عنوان"},
    "first_rows": {"en": "First records", "fa": "نخستین رکوردها"},
    "import": {"en": "Import", "fa": "وارد کردن"},
    "link_now": {"en": "Link the lists now", "fa": "اکنون فهرست‌ها را پیوند بده"},
    "jobs": {"en": "Background work", "fa": "کارهای پس‌زمینه"},
    "job": {"en": "Job", "fa": "کار"},
    "status": {"en": "Status", "fa": "وضعیت"},
    "result": {"en": "Result", "fa": "نتیجه"},
    "job_refresh": {"en": "This page refreshes itself until the job ends; you may leave it.",
                    "fa": "این صفحه تا پایان کار خودش تازه می‌شود؛ می‌توانید آن را ترک کنید."},
    "estimates_page": {"en": "Estimates", "fa": "برآوردها"},
    "captures": {"en": "Capture histories of the latest link run",
                 "fa": "الگوهای ثبت در آخرین اجرای پیوند"},
    "observed": {"en": "people observed", "fa": "فرد ثبت‌شده"},
    "count": {"en": "People", "fa": "افراد"},
    "method": {"en": "Method", "fa": "روش"},
    "model": {"en": "Model", "fa": "مدل"},
    "estimate": {"en": "Estimate", "fa": "برآورد"},
    "interval": {"en": "95% interval", "fa": "بازهٔ ۹۵٪"},
    "inputs": {"en": "Inputs", "fa": "ورودی‌ها"},
    "diagnostics": {"en": "Diagnostics", "fa": "تشخیص‌ها"},
    "synthetic": {"en": "SYNTHETIC", "fa": "ساختگی"},
    "no_estimates": {"en": "No estimate is stored yet (`sabt estimate … --save`).",
                     "fa": "هنوز برآوردی ذخیره نشده است."},
    "places": {"en": "Places", "fa": "مکان‌ها"},
    "place_history": {"en": "Over time", "fa": "در گذر زمان"},
    "no_coordinates": {"en": "no coordinates in the sources", "fa": "بی‌مختصات در منابع"},
    "map_note": {"en": "Borders for orientation only.", "fa": "مرزها فقط برای جهت‌یابی‌اند."},
    "apply_hint": {"en": "Decisions take effect at the next link run (`sabt link`).",
                   "fa": "تصمیم‌ها در اجرای بعدی پیوند (`sabt link`) اعمال می‌شوند."},
    # --- the memorial (sabt publish, /memorial) ---
    "m_synthetic": {"en": "SYNTHETIC: every name on this site is invented (demo data).",
                    "fa": "ساختگی: همهٔ نام‌های این وبگاه ساختگی‌اند (دادهٔ نمایشی)."},
    "m_names": {"en": "All names", "fa": "همهٔ نام‌ها"},
    "m_about": {"en": "About", "fa": "دربارهٔ این یادمان"},
    "m_claims": {"en": "Published figures", "fa": "رقم‌های منتشرشده"},
    "m_search_label": {"en": "Search a name, in Persian or Latin script, any spelling",
                       "fa": "جستجوی نام، به خط فارسی یا لاتین، با هر املا"},
    "m_found": {"en": "Names found:", "fa": "نام‌های یافته:"},
    "m_none": {"en": "No published name matches.", "fa": "هیچ نام منتشرشده‌ای یافت نشد."},
    "m_persons": {"en": "persons are remembered here", "fa": "نفر در این یادمان ثبت شده‌اند"},
    "m_prisons": {"en": "Prisons", "fa": "زندان‌ها"},
    "m_places": {"en": "Places", "fa": "مکان‌ها"},
    "m_prison": {"en": "Prison", "fa": "زندان"},
    "m_place": {"en": "Place", "fa": "مکان"},
    "m_according_to": {"en": "according to", "fa": "به گفتهٔ"},
    "m_row": {"en": "row", "fa": "ردیف"},
    "m_column": {"en": "column", "fa": "ستون"},
    "m_comma": {"en": ", ", "fa": "، "},
    "m_semicolon": {"en": ";", "fa": "؛"},
    "m_also": {"en": "Also written", "fa": "نوشتار دیگر"},
    "m_correct": {"en": "Send a correction or a missing name",
                  "fa": "فرستادن اصلاحیه یا نامی که از قلم افتاده"},
    "m_correct_intro": {"en": "Families and friends can correct this page or add what is missing. "
                                 "An editor reviews every message; nothing is published without "
                                 "review. Do not write anything that could endanger you or others.",
                        "fa": "خانواده‌ها و دوستان می‌توانند این صفحه را اصلاح یا کامل کنند. "
                              "ویراستاری هر پیام را بررسی می‌کند و هیچ چیز بی‌بررسی منتشر "
                              "نمی‌شود. چیزی ننویسید که شما یا دیگران را به خطر بیندازد."},
    "m_correct_text": {"en": "Your correction (what is wrong, what is missing, and how you know)",
                       "fa": "اصلاحیهٔ شما (چه نادرست است، چه کم است، و از کجا می‌دانید)"},
    "m_correct_contact": {"en": "How to reach you (optional)",
                          "fa": "راه تماس با شما (اختیاری)"},
    "m_send": {"en": "Send", "fa": "فرستادن"},
    "m_missing": {"en": "Submit a name that is missing",
                  "fa": "فرستادن نامی که در این یادمان نیست"},
    "m_missing_intro": {
        "en": "If someone you know is not in this memorial, tell us their name. An editor "
              "reviews every message and adds a person only with a source; nothing you send "
              "is published as you wrote it. Do not write anything that could endanger you or "
              "others.",
        "fa": "اگر نام کسی که می‌شناسید در این یادمان نیست، نام او را برای ما بفرستید. "
              "ویراستاری هر پیام را بررسی می‌کند و کسی را فقط با منبع می‌افزاید؛ آنچه "
              "می‌فرستید همان‌گونه منتشر نمی‌شود. چیزی ننویسید که شما یا دیگران را به خطر "
              "بیندازد."},
    "m_missing_name": {"en": "Name (as you know it, in any script)",
                       "fa": "نام (همان‌گونه که می‌شناسید، به هر خطی)"},
    "m_missing_details": {
        "en": "What you know (optional): dates, place, prison, and how you know",
        "fa": "آنچه می‌دانید (اختیاری): تاریخ‌ها، مکان، زندان، و از کجا می‌دانید"},
    "m_thanks": {"en": "Thank you. An editor will review your message.",
                 "fa": "سپاس. ویراستاری پیام شما را بررسی خواهد کرد."},
    "m_contact_static": {"en": "To correct this page or add a missing name, write to",
                         "fa": "برای اصلاح این صفحه یا افزودن نامی که از قلم افتاده، بنویسید به"},
    "m_no_contact": {"en": "The publisher has not given a contact address.",
                     "fa": "منتشرکننده نشانی تماسی نداده است."},
    "m_method_title": {"en": "Method", "fa": "روش"},
    "m_method": {"en": "Each line on a person's page is a statement of a source, shown with the "
                       "source it is according to. The lists that name the victims overlap and "
                       "disagree; the same person is linked across lists written in Persian and "
                       "in Latin script, and where sources disagree each version is shown. "
                       "Figures are attributed: every published toll is shown with who claims "
                       "it, and none is presented as the truth. Only what the documentalists "
                       "marked for publication is shown; records of living witnesses and "
                       "anything drawn from restricted sources are never published.",
                 "fa": "هر سطر در صفحهٔ هر فرد گزاره‌ای از یک منبع است و با همان منبع نمایش "
                       "داده می‌شود. فهرست‌هایی که نام جان‌باختگان را آورده‌اند هم‌پوشانی و "
                       "ناهمخوانی دارند؛ هر فرد در فهرست‌های فارسی و لاتین به هم پیوند داده "
                       "شده و هر جا منابع ناهمخوان‌اند، هر روایت نمایش داده می‌شود. رقم‌ها "
                       "منسوب‌اند: هر رقم منتشرشده با مدعی آن آمده و هیچ‌کدام حقیقت قطعی "
                       "معرفی نمی‌شود. تنها آنچه مستندسازان برای انتشار نشان‌گذاری کرده‌اند "
                       "نمایش داده می‌شود؛ سوابق شاهدان زنده و هر چه از منابع محرمانه آمده "
                       "هرگز منتشر نمی‌شود."},
    "m_withheld": {"en": "records are not published (not marked for publication, or withheld "
                         "to protect people)",
                   "fa": "سابقه منتشر نشده است (برای انتشار نشان‌گذاری نشده یا برای حفاظت "
                         "از افراد پنهان مانده)"},
    "m_sources": {"en": "Sources cited", "fa": "منابع"},
    "m_font": {"en": "Persian text is set in Noto Naskh Arabic (SIL Open Font License, see "
                     "assets/OFL.txt).",
               "fa": "متن فارسی با قلم Noto Naskh Arabic (پروانهٔ SIL Open Font License، "
                     "assets/OFL.txt) نمایش داده می‌شود."},
    "m_claims_intro": {"en": "Every published figure on the toll, with who claims it and the "
                             "source. They disagree; none is endorsed.",
                       "fa": "هر رقم منتشرشده دربارهٔ شمار قربانیان، با مدعی و منبع آن. این "
                             "رقم‌ها با هم نمی‌خوانند و هیچ‌کدام تأیید نمی‌شود."},
    "m_p_name": {"en": "Name", "fa": "نام کامل"},
    "m_p_given_name": {"en": "Given name", "fa": "نام"},
    "m_p_family_name": {"en": "Family name", "fa": "نام خانوادگی"},
    "m_p_father_name": {"en": "Father's name", "fa": "نام پدر"},
    "m_p_sex": {"en": "Sex", "fa": "جنسیت"},
    "m_p_date_of_birth": {"en": "Date of birth", "fa": "تاریخ تولد"},
    "m_p_year_of_birth": {"en": "Year of birth", "fa": "سال تولد"},
    "m_p_age_at_death": {"en": "Age at death", "fa": "سن هنگام مرگ"},
    "m_p_date_of_death": {"en": "Date of death", "fa": "تاریخ مرگ"},
    "m_p_place_of_death": {"en": "Place of death", "fa": "محل مرگ"},
    "m_p_prison": {"en": "Prison", "fa": "زندان"},
    "m_p_province": {"en": "Province", "fa": "استان"},
    "m_p_affiliation": {"en": "Affiliation", "fa": "وابستگی"},
    "m_p_what_happened": {"en": "What happened", "fa": "چه رخ داد"},
    "m_rate_limited": {"en": "Too many messages from your connection; please try again later.",
                       "fa": "پیام‌های زیادی از اتصال شما رسیده است؛ لطفاً بعداً دوباره بکوشید."},
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
