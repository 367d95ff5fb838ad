"""Loading, validation and resolution: errors are clear, fallbacks are reported."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

import creditcomms as cc
from creditcomms.errors import (
    MessageTooLongError,
    MissingVariableError,
    SandboxViolationError,
    TemplateError,
    TemplateNotFoundError,
    TemplateSyntaxError,
)


def _sms(text: str, **changes: object) -> cc.Template:
    data: dict[str, object] = {"id": "t", "channel": "sms", "locale": "en", "parts": {"text": text}}
    data.update(changes)
    return cc.Template.model_validate(data)


class TestResolution:
    """Locale falls back de_CH → de → default; tone falls back to neutral; both are reported."""

    def _library(self) -> cc.TemplateLibrary:
        return cc.TemplateLibrary(
            [
                _sms("de neutral", locale="de"),
                _sms("de firm", locale="de", tone="firm"),
                _sms("en neutral", locale="en"),
            ]
        )

    def test_exact_match_has_no_fallback(self) -> None:
        """A template that matches exactly is returned without reasons."""
        found = self._library().resolve("t", "sms", locale="de", tone="firm")
        assert found.template.parts["text"] == "de firm"
        assert not found.fell_back

    def test_region_falls_back_to_language(self) -> None:
        """de_CH finds the de template and says so."""
        found = self._library().resolve("t", "sms", locale="de_CH", tone="firm")
        assert found.template.locale == "de"
        assert [r.code for r in found.fallbacks] == ["locale_fallback"]
        assert "de_CH" in found.fallbacks[0].detail

    def test_tone_falls_back_to_neutral(self) -> None:
        """A missing friendly tone uses the neutral one and says so."""
        found = self._library().resolve("t", "sms", locale="de", tone="friendly")
        assert found.template.parts["text"] == "de neutral"
        assert [r.code for r in found.fallbacks] == ["tone_fallback"]

    def test_unknown_language_falls_back_to_default_locale(self) -> None:
        """An Italian request gets the library's default locale, with both reasons."""
        found = self._library().resolve("t", "sms", locale="it_IT", tone="friendly")
        assert found.template.parts["text"] == "en neutral"
        assert {r.code for r in found.fallbacks} == {"locale_fallback", "tone_fallback"}

    def test_fallbacks_reach_the_message_meta(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """A rendered message records which template it used and the fallbacks taken."""
        library = cc.TemplateLibrary([_sms("Hallo {{ debtor.name }}", locale="de")])
        message = library.render(
            "t", cc.SMS, case, creditor, at=now, idempotency_key="k-1", tone="firm"
        )
        assert message.meta["fallbacks"] == "locale_fallback,tone_fallback"
        assert message.meta["template_locale"] == "de"
        assert message.locale == "de_DE"

    def test_missing_template_names_what_exists(self) -> None:
        """No template even after fallback raises, listing the available variants."""
        german = cc.TemplateLibrary([_sms("a", locale="de"), _sms("b", locale="de", tone="firm")])
        with pytest.raises(
            TemplateNotFoundError,
            match=r"tried locales fr, en; tones firm, neutral\); it exists for de/firm, de/neutral",
        ):
            german.resolve("t", "sms", locale="fr", tone="firm")
        with pytest.raises(TemplateNotFoundError, match=r"did you mean 't'\? \(sms has t\)"):
            german.resolve("tt", "sms", locale="de")
        with pytest.raises(TemplateNotFoundError, match="sms has t: add it or use one of those"):
            german.resolve("nope", "sms", locale="de")
        with pytest.raises(TemplateNotFoundError, match="no email templates at all"):
            german.resolve("t", "email", locale="de")


class TestValidationAtLoad:
    """Broken templates are rejected when they are added, with errors naming the template."""

    def test_unknown_variable(self) -> None:
        """Reading a variable the context lacks names the template and the variable."""
        with pytest.raises(MissingVariableError, match=r"t/sms/en/neutral.*'amount_due'"):
            cc.TemplateLibrary([_sms("Pay {{ amount_due }}")])

    def test_unknown_attribute(self) -> None:
        """Reading a missing attribute names it."""
        with pytest.raises(MissingVariableError, match="'nickname'"):
            cc.TemplateLibrary([_sms("Hi {{ debtor.nickname }}")])

    @pytest.mark.parametrize(
        ("source", "message"),
        [
            (
                "{% if debtor.kind == 'b2b' %}Attn {{ debtor.contact_persn }}{% endif %}",
                r"line 1: debtor has no attribute 'contact_persn'; did you mean 'contact_person'",
            ),
            ("{{ debtor.contacts.emial }}", r"debtor.contacts has no attribute 'emial'"),
            (
                "{% for item in invoices %}{{ item.due_date }}{% endfor %}",
                r"item has no attribute 'due_date'; did you mean 'due_on'",
            ),
            (
                "{% if totals.fees_amount %}\n{{ totals.fee_amount }}{% endif %}",
                r"line 2: totals has no attribute 'fee_amount'",
            ),
        ],
    )
    def test_a_typo_in_a_branch_the_sample_skips_fails_at_load(
        self, source: str, message: str
    ) -> None:
        """Attribute names are checked in every branch and loop, not only those rendered."""
        with pytest.raises(MissingVariableError, match=message):
            cc.TemplateLibrary([_sms(source)])

    def test_names_bound_by_the_template_are_not_checked(self) -> None:
        """A loop's own name hides the context variable of that name from the check."""
        source = (
            "{% for invoice in [{'anything': 1}] %}{{ invoice.anything }}{% endfor %}"
            " {{ debtor.name }}"
        )
        assert len(cc.TemplateLibrary([_sms(source)])) == 1

    @pytest.mark.parametrize(
        "source",
        [
            "{{ ''.__class__.__mro__ }}",
            "{{ debtor.__class__.__init__.__globals__ }}",
            "{{ creditor.link_secret.get_secret_value() }}",
            "{{ debtor.model_copy(update={'name': 'x'}) }}",
            "{{ invoices.__len__() }}",
        ],
    )
    def test_sandbox_escape(self, source: str) -> None:
        """Private attributes, secrets and model machinery are out of reach."""
        with pytest.raises(SandboxViolationError, match="sandbox"):
            cc.TemplateLibrary([_sms(source)])

    def test_syntax_error(self) -> None:
        """A template that does not parse names the template, part and line."""
        with pytest.raises(TemplateSyntaxError, match=r"t/sms/en/neutral:text.*line 2"):
            cc.TemplateLibrary([_sms("Hello\n{% if debtor.name %}")])

    def test_required_parts(self) -> None:
        """An email template without a subject is refused."""
        template = cc.Template(id="t", channel="email", locale="en", parts={"text": "Hi"})
        with pytest.raises(TemplateError, match=r"lacks the part.*subject"):
            cc.TemplateLibrary([template])

    def test_sms_worst_case_budget(self) -> None:
        """An SMS that fits for a short name but not for the worst case is caught at load."""
        text = "Hello {{ debtor.name }}, invoice {{ invoice.id }}: {{ totals.total_due | money }}. "
        template = _sms(text * 2 + "{{ pay_link }}", max_segments=1)
        with pytest.raises(MessageTooLongError, match=r"worst-case.*cap of 1"):
            cc.TemplateLibrary([template])
        cc.TemplateLibrary([template.model_copy(update={"max_segments": 3})])

    def test_duplicate_needs_replace(self) -> None:
        """Adding the same key twice is an error unless replacing on purpose."""
        library = cc.TemplateLibrary([_sms("one")])
        with pytest.raises(cc.ConfigurationError, match="replace=True"):
            library.add(_sms("two"))
        library.add(_sms("two"), replace=True)
        assert library.resolve("t", "sms", locale="en").template.parts["text"] == "two"

    def test_failed_template_is_not_kept(self) -> None:
        """A template that fails validation does not stay in the library."""
        library = cc.TemplateLibrary()
        with pytest.raises(MissingVariableError):
            library.add(_sms("{{ nope }}"))
        assert len(library) == 0


class TestLoading:
    """Templates load from a directory, from package resources, and from code."""

    def _write(self, root: Path) -> None:
        (root / "de").mkdir(parents=True)
        (root / "_shared").mkdir()
        (root / "_shared" / "sign.j2").write_text("- {{ creditor.name }}", encoding="utf-8")
        (root / "de" / "reminder.toml").write_text(
            "[sms.neutral]\n"
            "text = \"Rechnung {{ invoice.id }} ist offen. {% include 'sign.j2' %}\"\n"
            "max_segments = 2\n"
            '[email.firm]\nsubject = "Rechnung {{ invoice.id }}"\ntext = "{{ greeting() }}"\n'
            'html = "<p>{{ debtor.name }}</p>"\n',
            encoding="utf-8",
        )

    def test_from_directory(self, tmp_path: Path) -> None:
        """Each <locale>/<id>.toml table [channel.tone] becomes a template; includes work."""
        self._write(tmp_path)
        library = cc.TemplateLibrary.from_directory(tmp_path, default_locale="de")
        assert sorted(t.label for t in library) == [
            "reminder/email/de/firm",
            "reminder/sms/de/neutral",
        ]
        sms = library.preview("reminder", "sms", locale="de")
        assert isinstance(sms, cc.SmsMessage)
        assert sms.text == "Rechnung 2026-10-0815 ist offen. - Muster GmbH"

    def test_from_resources(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A package that ships templates as data files loads through importlib.resources."""
        package = tmp_path / "acme_templates"
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        self._write(package / "packs")
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, "acme_templates", raising=False)
        library = cc.TemplateLibrary.from_resources("acme_templates", "packs")
        assert len(library) == 2

    def test_bad_toml(self, tmp_path: Path) -> None:
        """A file that is not TOML is reported with its path."""
        (tmp_path / "en").mkdir()
        (tmp_path / "en" / "x.toml").write_text("[sms.neutral\n", encoding="utf-8")
        with pytest.raises(TemplateSyntaxError, match=r"en/x.toml is not valid TOML"):
            cc.TemplateLibrary.from_directory(tmp_path)

    def test_missing_directory(self, tmp_path: Path) -> None:
        """A directory that does not exist is a configuration error."""
        with pytest.raises(cc.ConfigurationError, match="does not exist"):
            cc.TemplateLibrary.from_directory(tmp_path / "nope")

    def test_table_must_be_a_tone(self, tmp_path: Path) -> None:
        """A table that is not named after a tone is refused with the list of tones."""
        (tmp_path / "en").mkdir()
        (tmp_path / "en" / "x.toml").write_text('[sms.angry]\ntext = "x"\n', encoding="utf-8")
        with pytest.raises(TemplateError, match="friendly, neutral, firm"):
            cc.TemplateLibrary.from_directory(tmp_path)
