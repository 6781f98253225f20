"""Fault report categories as data: a JSON file per municipality (asker.json here) with the category groups,
their categories (routed to a unit of the municipality profile) and each category's extra questions.

`load_report_categories("asker")` creates or updates the rows from the file, the way
tinget.core.profile.load_profile loads a profile: loading the same file twice changes nothing, and a file
with any problem changes nothing at all (every problem is listed in one CategoryFileError). Rows that the
file does not name (a category staff added in the admin) are left alone.

The file's shape (see asker.json):

    {"groups": [{"slug", "name", "name_nn", "name_en",
                 "categories": [{"slug", "name", "name_nn", "name_en", "description", "description_nn",
                                 "description_en", "unit": "<unit slug>", "response_days", "keywords": [...],
                                 "urgent_contact": "<emergency contact name>" or "urgent_phone": "...",
                                 "not_ours": true, "contact_text", "contact_text_nn", "contact_text_en",
                                 "contact_url", "active": true,
                                 "questions": [{"code", "datatype", "required", "question", "question_nn",
                                                "question_en", "hint", "hint_nn", "hint_en",
                                                "values": [{"key", "name", "name_nn", "name_en"}]}]}]}]}

Keys starting with an underscore are comments. Orders follow the file.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from tinget.core import audit
from tinget.core.models import EmergencyContact, Unit
from tinget.core.profile import data_file
from tinget.core.selectors import current_municipality

from ..models import Category, CategoryGroup, Question

CATEGORY_DIR = Path(__file__).resolve().parent

GROUP_KEYS = {"slug", "name", "name_nn", "name_en", "categories"}
CATEGORY_KEYS = {
    "slug",
    "name",
    "name_nn",
    "name_en",
    "description",
    "description_nn",
    "description_en",
    "unit",
    "response_days",
    "keywords",
    "urgent_contact",
    "urgent_phone",
    "not_ours",
    "contact_text",
    "contact_text_nn",
    "contact_text_en",
    "contact_url",
    "active",
    "questions",
}
QUESTION_KEYS = {
    "code",
    "datatype",
    "required",
    "question",
    "question_nn",
    "question_en",
    "hint",
    "hint_nn",
    "hint_en",
    "values",
}
VALUE_KEYS = {"key", "name", "name_nn", "name_en"}
LIST_TYPES = {Question.Datatype.SINGLE, Question.Datatype.MULTI}


class CategoryFileError(ValueError):
    """The category file cannot be loaded. The message lists every problem; nothing was changed."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def category_file_path(name_or_path: str) -> Path:
    return data_file(name_or_path, CATEGORY_DIR, "category file")


def _content(item: dict) -> dict:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _unknown(item: dict, allowed: set, where: str, problems: list):
    unknown = sorted(set(_content(item)) - allowed)
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(unknown)}")


def _require_text(item: dict, keys, where: str, problems: list):
    for key in keys:
        if not isinstance(item.get(key), str) or not item.get(key).strip():
            problems.append(f"{where}: {key} is missing")


def _check(data, municipality) -> tuple[list, dict, dict]:
    """Problems with the file's structure and references, plus the units and on-call numbers it names."""
    problems = []
    units = {u.slug: u for u in Unit.objects.filter(municipality=municipality)}
    contacts = {c.name: c for c in EmergencyContact.objects.filter(municipality=municipality)}
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list) or not data["groups"]:
        return ['The file must be an object with a non-empty list "groups"'], units, contacts
    group_slugs, category_slugs = set(), set()
    for g_index, group in enumerate(data["groups"]):
        where = f"group {g_index + 1}"
        if not isinstance(group, dict):
            problems.append(f"{where}: must be an object")
            continue
        where = f"group {group.get('slug') or g_index + 1!r}"
        _unknown(group, GROUP_KEYS, where, problems)
        _require_text(group, ("slug", "name"), where, problems)
        if group.get("slug") in group_slugs:
            problems.append(f"{where}: the slug is used twice")
        group_slugs.add(group.get("slug"))
        categories = group.get("categories", [])
        if not isinstance(categories, list):
            problems.append(f"{where}: categories must be a list")
            continue
        for c_index, category in enumerate(categories):
            if not isinstance(category, dict):
                problems.append(f"{where}, category {c_index + 1}: must be an object")
                continue
            _check_category(category, f"category {category.get('slug') or c_index + 1!r}", units, contacts, problems)
            if category.get("slug") in category_slugs:
                problems.append(f"category {category.get('slug')!r}: the slug (service code) is used twice")
            category_slugs.add(category.get("slug"))
    return problems, units, contacts


def _check_category(category, where, units, contacts, problems):
    _unknown(category, CATEGORY_KEYS, where, problems)
    _require_text(category, ("slug", "name", "unit"), where, problems)
    if category.get("unit") and category.get("unit") not in units:
        problems.append(f"{where}: no unit {category.get('unit')!r} in the municipality profile")
    days = category.get("response_days", 5)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        problems.append(f"{where}: response_days must be a whole number of days from 1 to 365")
    keywords = category.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and "," not in k for k in keywords):
        problems.append(f"{where}: keywords must be a list of words (without commas)")
    urgent = "urgent_contact" in category or "urgent_phone" in category
    if "urgent_contact" in category and category["urgent_contact"] not in contacts:
        problems.append(f"{where}: no emergency contact named {category['urgent_contact']!r} in the profile")
    if "urgent_phone" in category and not str(category["urgent_phone"]).strip():
        problems.append(f"{where}: urgent_phone is empty")
    if category.get("not_ours"):
        if urgent:
            problems.append(f"{where}: a category cannot be both urgent and not the municipality's")
        if not str(category.get("contact_text", "")).strip():
            problems.append(f"{where}: a category that is not the municipality's says whom to contact (contact_text)")
    questions = category.get("questions", [])
    if not isinstance(questions, list):
        problems.append(f"{where}: questions must be a list")
        return
    if questions and (urgent or category.get("not_ours")):
        problems.append(f"{where}: an urgent or not-ours category takes no report, so it has no questions")
    codes = set()
    for q_index, question in enumerate(questions):
        if not isinstance(question, dict):
            problems.append(f"{where}, question {q_index + 1}: must be an object")
            continue
        q_where = f"{where}, question {question.get('code') or q_index + 1!r}"
        _unknown(question, QUESTION_KEYS, q_where, problems)
        _require_text(question, ("code", "question"), q_where, problems)
        if question.get("code") in codes:
            problems.append(f"{q_where}: the code is used twice")
        codes.add(question.get("code"))
        datatype = question.get("datatype", Question.Datatype.STRING)
        if datatype not in Question.Datatype.values:
            problems.append(
                f"{q_where}: datatype {datatype!r} is not one of {', '.join(Question.Datatype.values)} (Open311)"
            )
        values = question.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            problems.append(f"{q_where}: values must be a list of objects")
            continue
        if datatype in LIST_TYPES and len(values) < 2:
            problems.append(f"{q_where}: a {datatype} needs at least two values")
        if datatype not in LIST_TYPES and values:
            problems.append(f"{q_where}: only singlevaluelist and multivaluelist have values")
        keys = [v.get("key") for v in values]
        if len(set(keys)) != len(keys):
            problems.append(f"{q_where}: a value key is used twice")
        for value in values:
            _unknown(value, VALUE_KEYS, f"{q_where}, value {value.get('key')!r}", problems)
            if not isinstance(value.get("key"), str) or not value.get("key") or not value.get("name"):
                problems.append(f"{q_where}: every value has a key and a name")


def _validated(obj, where: str):
    try:
        obj.full_clean()
    except ValidationError as exc:
        details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise CategoryFileError(
            [f"{where}: {field + ': ' if field else ''}{' '.join(messages)}" for field, messages in details.items()]
        ) from exc


def _sync(model, lookup: dict, values: dict, where: str) -> bool:
    """Create or update one row (validated with full_clean); True when anything changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        _validated(obj, where)
        obj.save()
        return True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        _validated(obj, where)
        obj.save(update_fields=changed)
    return bool(changed)


def _texts(item: dict, *fields: str) -> dict:
    return {
        f"{field}{suffix}": str(item.get(f"{field}{suffix}", "")).strip()
        for field in fields
        for suffix in ("", "_nn", "_en")
    }


def _values(values: list) -> list:
    return [{k: str(v[k]).strip() for k in ("key", "name", "name_nn", "name_en") if k in v} for v in values]


def _load(data, units, contacts) -> int:
    changes = 0
    for g_order, group in enumerate(data["groups"]):
        changes += _sync(
            CategoryGroup,
            {"slug": group["slug"]},
            {**_texts(group, "name"), "order": g_order},
            f"group {group['slug']!r}",
        )
        group_row = CategoryGroup.objects.get(slug=group["slug"])
        for c_order, category in enumerate(group.get("categories", [])):
            urgent_phone = ""
            if "urgent_contact" in category:
                urgent_phone = contacts[category["urgent_contact"]].phone
            elif "urgent_phone" in category:
                urgent_phone = str(category["urgent_phone"]).strip()
            values = {
                "group": group_row,
                **_texts(category, "name", "description", "contact_text"),
                "keywords": ", ".join(k.strip() for k in category.get("keywords", [])),
                "unit": units[category["unit"]],
                "response_days": category.get("response_days", 5),
                "is_urgent": bool(urgent_phone),
                "urgent_phone": urgent_phone,
                "not_ours": bool(category.get("not_ours", False)),
                "contact_url": str(category.get("contact_url", "")).strip(),
                "is_active": bool(category.get("active", True)),
                "order": c_order,
            }
            where = f"category {category['slug']!r}"
            changes += _sync(Category, {"slug": category["slug"]}, values, where)
            category_row = Category.objects.get(slug=category["slug"])
            for q_order, question in enumerate(category.get("questions", [])):
                changes += _sync(
                    Question,
                    {"category": category_row, "code": question["code"]},
                    {
                        "datatype": question.get("datatype", Question.Datatype.STRING),
                        "required": bool(question.get("required", False)),
                        **_texts(question, "question", "hint"),
                        "values": _values(question.get("values", [])),
                        "order": q_order,
                    },
                    f"{where}, question {question['code']!r}",
                )
    return changes


def load_report_categories(name_or_path: str = "asker", *, municipality=None, actor=None) -> int:
    """Create or update the category groups, categories and extra questions from a category file, for
    `municipality` (default: the one this installation serves), whose units the categories are routed to.
    Returns how many rows were created or changed (0 the second time). Audited when anything changed.

    Raises FileNotFoundError, or CategoryFileError listing every problem (invalid JSON, a missing or unknown
    key, an unknown unit or emergency contact, a duplicate slug, an unknown Open311 datatype, a value too
    long for its field, …); then nothing is changed."""
    path = category_file_path(name_or_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CategoryFileError([f"{path.name} is not valid JSON: {exc}"]) from exc
    municipality = municipality or current_municipality()
    if municipality is None:
        raise CategoryFileError(["No municipality profile is loaded: run `manage.py load_profile` first"])
    problems, units, contacts = _check(data, municipality)
    if problems:
        raise CategoryFileError(problems)
    with transaction.atomic():
        changes = _load(data, units, contacts)
        if changes:
            audit.log(
                actor or "load_report_categories",
                "reports.categories.loaded",
                municipality,
                {"file": path.name, "changes": changes},
            )
    return changes
