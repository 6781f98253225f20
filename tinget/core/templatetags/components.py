"""Shared, accessible template components. Loaded as builtins, so every template can use them.

{% field form.email %}             label, hint, error message and the input, wired with aria-describedby
{% error_summary form %}           the list of errors at the top of a form, each linking to its field
{% pagination page_obj %}          previous/next and page numbers, keeping the other query parameters
{% status_tag label color %}       a coloured tag with text (never colour alone)
{% breadcrumbs crumbs %}           [(title, url), ...]; the last is the current page
{% empty_state title text %}       what a list says when there is nothing in it
{% language_links %}               the same page in the other languages
"""

from functools import lru_cache

from django import forms, template
from django.conf import settings
from django.urls import get_urlconf, translate_url
from django.utils.translation import get_language

from tinget.core import mail

register = template.Library()

CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.inclusion_tag("core/components/field.html")
def field(bound_field, hint=None, width=None):
    widget = bound_field.field.widget
    described_by = []
    help_text = hint if hint is not None else bound_field.help_text
    if help_text:
        described_by.append(f"{bound_field.auto_id}_hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}_error")
    attrs = {"class": "ds-input"}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    if bound_field.field.required and not isinstance(widget, CHOICE_WIDGETS):
        attrs["required"] = True
    is_checkbox = isinstance(widget, forms.CheckboxInput)
    is_choice_group = isinstance(widget, CHOICE_WIDGETS)
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=attrs) if not is_choice_group else None,
        "hint": help_text,
        "is_checkbox": is_checkbox,
        "is_choice_group": is_choice_group,
        "described_by": " ".join(described_by),
        "width": width,
    }


@register.inclusion_tag("core/components/error_summary.html")
def error_summary(*forms_):
    errors = []
    for form in forms_:
        # A missing template variable arrives as "" (string_if_invalid): skip it like an unbound form.
        if not getattr(form, "is_bound", False) or not form.errors:
            continue
        for error in form.non_field_errors():
            errors.append({"message": error, "anchor": None})
        for bound in form:
            for error in bound.errors:
                subwidgets = list(bound.subwidgets) if isinstance(bound.field.widget, CHOICE_WIDGETS) else []
                anchor = subwidgets[0].id_for_label if subwidgets else bound.auto_id
                errors.append({"message": error, "anchor": anchor, "label": bound.label})
    return {"errors": errors}


@register.inclusion_tag("core/components/pagination.html", takes_context=True)
def pagination(context, page_obj, label=None):
    request = context["request"]
    paginator = page_obj.paginator

    def url_for(number):
        params = request.GET.copy()
        params["side"] = number
        return "?" + params.urlencode()

    pages = []
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            pages.append({"ellipsis": True})
        else:
            pages.append({"number": number, "url": url_for(number), "current": number == page_obj.number})
    return {
        "page_obj": page_obj,
        "pages": pages,
        "label": label,
        "previous_url": url_for(page_obj.previous_page_number()) if page_obj.has_previous() else None,
        "next_url": url_for(page_obj.next_page_number()) if page_obj.has_next() else None,
    }


@register.inclusion_tag("core/components/status_tag.html")
def status_tag(label, color="neutral"):
    return {"label": label, "color": color}


@register.inclusion_tag("core/components/breadcrumbs.html")
def breadcrumbs(crumbs):
    return {"crumbs": crumbs}


@register.inclusion_tag("core/components/empty_state.html")
def empty_state(title, text=""):
    return {"title": title, "text": text}


@register.inclusion_tag("core/components/language_links.html", takes_context=True)
def language_links(context):
    request = context["request"]
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": LANGUAGE_SELF_NAMES.get(code, name),
                "url": translated_url(request, code),
                "current": code == current,
            }
        )
    return {"links": links}


@register.filter
def localized(obj, field):
    """`{{ contact|localized:"name" }}`: profile text in the page's language (see core.models.Localized)."""
    return obj.localized(field, get_language())


@register.filter
def deliverable(address):
    """False for an address that can never receive mail (see core.mail.deliverable)."""
    return mail.deliverable(address)


# Each language is named in itself, so a reader finds their own language whatever page they are on.
LANGUAGE_SELF_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


@register.simple_tag(takes_context=True)
def alternate_urls(context):
    request = context["request"]
    return [(code, translated_url(request, code)) for code, _ in settings.LANGUAGES]


def translated_url(request, code):
    """The current page in another language. Every page asks for each language twice (alternate links,
    language menu), and translate_url resolves and reverses each time (about 0.1 ms), so results are
    remembered per URL configuration, active language and path."""
    return _translated_url(get_urlconf() or settings.ROOT_URLCONF, get_language(), request.get_full_path(), code)


@lru_cache(maxsize=256)
def _translated_url(urlconf, current_language, path, code):
    return translate_url(path, code)
