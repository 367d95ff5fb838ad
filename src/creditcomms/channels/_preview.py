"""HTML previews of messages for notebooks (``_repr_html_``).

Every value is escaped: a preview shows what was rendered, it never runs it. An email's HTML
is shown inside a sandboxed ``<iframe srcdoc>`` so its styles and links stay in the frame,
with its inline (``cid:``) images as ``data:`` URIs, since the frame has no MIME parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from ._attachments import Attachment, embed_inline_images

__all__ = ["preview_html"]

_CARD = (
    "font-family:system-ui,-apple-system,Segoe UI,Arial,sans-serif;font-size:14px;"
    "border:1px solid #d1d5db;border-radius:8px;max-width:680px;overflow:hidden;"
)
_HEAD = "background:#f3f4f6;padding:8px 12px;color:#374151;"
_BODY = "padding:12px;white-space:pre-wrap;margin:0;font-family:inherit;"


def _rows(pairs: Mapping[str, object]) -> str:
    cells = "".join(
        f'<div><span style="color:#6b7280;">{escape(k)}:</span> {escape(str(v))}</div>'
        for k, v in pairs.items()
        if v not in (None, "", (), [])
    )
    return f'<div style="{_HEAD}">{cells}</div>'


def _card(title: str, pairs: Mapping[str, object], body: str) -> str:
    return (
        f'<div style="{_CARD}"><div style="{_HEAD}font-weight:600;">{escape(title)}</div>'
        f"{_rows(pairs)}{body}</div>"
    )


def _text(value: object) -> str:
    return f'<pre style="{_BODY}">{escape(str(value))}</pre>'


def _email(data: Mapping[str, Any]) -> str:
    pairs = {"From": data["sender"], "To": data["to"], "Subject": data["subject"]}
    if data.get("html"):
        # The frame cannot resolve cid: URLs: inline images are shown as data: URIs.
        images = [Attachment.model_validate(a) for a in data.get("attachments", ())]
        html = embed_inline_images(data["html"], [a for a in images if a.inline])
        frame = (
            f'<iframe sandbox="" srcdoc="{escape(html, quote=True)}"'
            ' style="width:100%;height:520px;border:0;" title="email preview"></iframe>'
        )
    else:
        frame = _text(data["text"])
    return _card("Email", pairs, frame)


def _sms(data: Mapping[str, Any]) -> str:
    bubble = (
        '<div style="padding:12px;"><div style="background:#e5e7eb;border-radius:16px;'
        "padding:10px 14px;max-width:320px;white-space:pre-wrap;"
        f'word-break:break-word;">{escape(data["text"])}</div></div>'
    )
    pairs = {"To": data["to"], "Sender": data.get("sender")}
    title = f"SMS · {data['encoding']} · {data['segments']} segment(s)"
    return _card(title, pairs, bubble)


def _letter(data: Mapping[str, Any]) -> str:
    address = data["recipient_address"]
    pairs = {"To": f"{address['name']}, {address['city']}", "Subject": data["subject"]}
    return _card("Letter", pairs, _text(data["body"]))


def _whatsapp(data: Mapping[str, Any]) -> str:
    pairs = {
        "To": data["to"],
        "Template": f"{data['template_name']} ({data['language']})",
        "Parameters": " | ".join(data["parameters"]),
        "Buttons": ", ".join(b["parameter"] for b in data["buttons"]),
    }
    return _card("WhatsApp", pairs, _text(data.get("preview_text") or ""))


def _push(data: Mapping[str, Any]) -> str:
    pairs = {"Title": data["title"], "Deep link": data.get("deep_link")}
    return _card("Push", pairs, _text(data["body"]))


def _voice(data: Mapping[str, Any]) -> str:
    pairs = {"To": data["to"], "Language": data["language"]}
    return _card("Voice call", pairs, _text(data["ssml"]))


def _phone_task(data: Mapping[str, Any]) -> str:
    points = "\n".join(f"• {p}" for p in data["talking_points"])
    items = "\n".join(
        f"{i['invoice_id']}: {i['amount']['amount']} {i['amount']['currency']}"
        f" ({i['days_past_due']} days past due)"
        for i in data["open_items"]
    )
    pairs = {"Call": f"{data['contact_name']} {data['phone']}", "Reason": data["reason"]}
    body = "\n\n".join(p for p in (data["script"], points, items) if p)
    return _card("Phone task", pairs, _text(body))


def _portal(data: Mapping[str, Any]) -> str:
    pairs = {"User": data["user_id"], "Title": data["title"], "Link": data.get("link")}
    return _card("Portal message", pairs, _text(data["body"]))


_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "email": _email,
    "sms": _sms,
    "letter": _letter,
    "whatsapp": _whatsapp,
    "push": _push,
    "voice": _voice,
    "phone_task": _phone_task,
    "portal": _portal,
}


def preview_html(kind: str, data: Mapping[str, Any], /) -> str:
    """An HTML card for a message of ``kind`` given its dumped fields."""
    renderer = _RENDERERS.get(kind)
    if renderer is not None:
        return renderer(data)
    shown = {k: v for k, v in data.items() if isinstance(v, str)}
    return _card(f"Message ({data.get('channel', kind)})", shown, "")
