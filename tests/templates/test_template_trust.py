"""Which templates skip the sandbox: the built-in packs' own objects, and nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import creditcomms as cc
from creditcomms.errors import SandboxViolationError
from creditcomms.templates._environment import _escape
from creditcomms.templates._samples import sample_case

_SECRET = "{{ creditor.link_secret.get_secret_value() }}"


def _kind(library: cc.TemplateLibrary, key: tuple[str, str, str, str]) -> set[str]:
    template = next(t for t in library if t.key == key)
    return {type(c.environment).__name__ for c in library._compiled_parts(template).values()}


def test_builtin_templates_compile_outside_the_sandbox() -> None:
    """The packs' own templates compile in the trusted environment, without a loader."""
    library = cc.TemplateLibrary.builtin()
    assert _kind(library, ("reminder", "email", "de", "neutral")) == {"_Trusted"}
    template = next(t for t in library if t.key == ("reminder", "email", "de", "neutral"))
    for compiled in library._compiled_parts(template).values():
        assert compiled.environment.loader is None


def test_a_replacement_of_a_builtin_stays_in_the_sandbox() -> None:
    """A host template replacing a built-in one, even with the same text, is sandboxed."""
    library = cc.TemplateLibrary.builtin()
    original = next(t for t in library if t.key == ("reminder", "sms", "en", "neutral"))
    library.add(original.model_copy(), replace=True)
    assert _kind(library, original.key) == {"_Sandbox"}
    evil = original.model_copy(update={"parts": {"text": _SECRET}})
    with pytest.raises(SandboxViolationError, match="sandbox"):
        cc.TemplateLibrary([evil])
    library.add(evil, replace=True)
    case = sample_case("en")
    creditor = cc.Creditor(
        name="X", iban="DE89370400440532013000", link_secret="s3cret-value-0123456789"
    )
    with pytest.raises(SandboxViolationError, match="sandbox"):
        library.render(
            "reminder", "sms", case, creditor, at=datetime(2026, 11, 20, tzinfo=UTC),
            idempotency_key="k",
        )  # fmt: skip


def test_a_builtin_changed_in_place_is_sandboxed() -> None:
    """Changing a built-in template's parts dict in place takes it back into the sandbox."""
    template = next(
        t for t in cc.TemplateLibrary.builtin() if t.key == ("reminder", "sms", "fr", "firm")
    )
    original = template.parts["text"]
    template.parts["text"] = _SECRET
    try:
        with pytest.raises(SandboxViolationError, match="sandbox"):
            cc.TemplateLibrary.builtin(validate=True)
    finally:
        template.parts["text"] = original
    assert _kind(cc.TemplateLibrary.builtin(), template.key) == {"_Trusted"}


def test_user_templates_in_a_mixed_library_are_sandboxed() -> None:
    """Built-ins and a user's templates in one library: only the built-ins are trusted."""
    mine = cc.Template(id="mine", channel="sms", locale="en", parts={"text": "Hi"})
    library = cc.TemplateLibrary([*cc.TemplateLibrary.builtin(), mine])
    assert _kind(library, mine.key) == {"_Sandbox"}
    assert _kind(library, ("reminder", "sms", "en", "neutral")) == {"_Trusted"}


@pytest.mark.parametrize(
    "value",
    ["plain", "<b>&'\"</b>", "&amp;", "", "ünïcode <tag>", "<&>" * 200, 42, None, date(2026, 1, 2)],
)
def test_output_escaping_matches_markupsafe(value: object) -> None:
    """The output escape gives markupsafe's characters, and leaves ``Markup`` alone."""
    import markupsafe

    assert str(_escape(value)) == str(markupsafe.escape(value))
    safe = markupsafe.Markup("<b>kept</b>")
    assert _escape(safe) == "<b>kept</b>"


def test_html_escapes_in_both_environments() -> None:
    """A user's HTML part escapes data and keeps macro output unescaped once."""
    source = (
        "{% macro bold(x) %}<b>{{ x }}</b>{% endmacro %}{{ bold(debtor.name) }}"
        "|{{ debtor.name }}|{% set block %}<i>{{ debtor.name }}</i>{% endset %}{{ block }}"
    )
    template = cc.Template(
        id="t", channel="email", locale="en", parts={"subject": "S", "text": "T", "html": source}
    )
    library = cc.TemplateLibrary([template])
    debtor = cc.Debtor(id="D", name="A & <B>", contacts=cc.Contacts(email="a@example.com"))
    invoice = cc.Invoice(
        id="I", amount=cc.Money("1.00", "EUR"), issued_on=date(2026, 1, 1),
        due_on=date(2026, 2, 1),
    )  # fmt: skip
    case = cc.Case(id="C", debtor=debtor, invoices=(invoice,))
    creditor = cc.Creditor(name="X", iban="DE89370400440532013000", email="x@example.com")
    message = library.render(
        "t", "email", case, creditor, at=datetime(2026, 3, 1, tzinfo=UTC), idempotency_key="k"
    )
    name = "A &amp; &lt;B&gt;"
    assert message.html == f"<b>{name}</b>|{name}|<i>{name}</i>"  # type: ignore[union-attr]
