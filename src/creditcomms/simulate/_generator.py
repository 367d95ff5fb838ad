"""The random choices behind `synthetic_portfolio`, made in a fixed order per seed."""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from creditcomms.errors import ConfigurationError
from creditcomms.model import (
    Case,
    Contacts,
    CustomerKind,
    Debtor,
    Invoice,
    Model,
    Money,
    PaymentBehaviour,
    PostalAddress,
)
from creditcomms.model._trusted import trusted

from ._data import COUNTRIES, EMAIL_DOMAINS, LANGUAGES, LOCALE_LANGUAGE, CountryProfile, Language
from ._profile import BehaviourProfile

__all__ = ["Generator"]

# (share paid late: low, high), (average days late: low, high) per profile.
_HISTORY: dict[BehaviourProfile, tuple[tuple[float, float], tuple[int, int]]] = {
    BehaviourProfile.RELIABLE: ((0.0, 0.1), (1, 5)),
    BehaviourProfile.FORGETFUL: ((0.2, 0.5), (3, 12)),
    BehaviourProfile.STRUGGLING: ((0.5, 0.9), (15, 45)),
    BehaviourProfile.DISPUTING: ((0.2, 0.5), (5, 20)),
    BehaviourProfile.NON_RESPONSIVE: ((0.6, 1.0), (30, 90)),
}
_SCORE = {
    BehaviourProfile.RELIABLE: 85,
    BehaviourProfile.FORGETFUL: 70,
    BehaviourProfile.STRUGGLING: 45,
    BehaviourProfile.DISPUTING: 60,
    BehaviourProfile.NON_RESPONSIVE: 35,
}
_ACCOUNTS_MAILBOX = {
    "german": "buchhaltung",
    "swiss_german": "buchhaltung",
    "dutch": "administratie",
    "french": "comptabilite",
    "english": "accounts",
}
_GBP_FACTOR = Decimal("0.85")
_CENT = Decimal("0.01")
_M = TypeVar("_M", bound=Model)
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", " ": ""})


def _between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive (faster than ``randint``)."""
    return low + int(rng.random() * (high - low + 1))


@functools.cache
def _ascii(text: str) -> str:
    """Lower-case ASCII for email local parts: ``Jürgen`` -> ``juergen``."""
    folded = text.lower().translate(_ASCII)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-"))


def _weights(mix: Mapping[str, float], *, name: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The keys of ``mix`` and their cumulative shares, normalised to end at 1."""
    keys = tuple(mix)
    weights = tuple(float(mix[k]) for k in keys)
    if not keys or any(w < 0 or math.isnan(w) for w in weights) or sum(weights) <= 0:
        raise ConfigurationError(
            f"{name} must map each choice to a share >= 0 with a positive total, got {dict(mix)}"
        )
    total = sum(weights)
    return keys, tuple(c / total for c in itertools.accumulate(weights))


def _pick(rng: random.Random, keys: tuple[str, ...], cumulative: tuple[float, ...]) -> str:
    return keys[min(bisect.bisect_right(cumulative, rng.random()), len(keys) - 1)]


@functools.cache
def _locale_weights(country: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return _weights(dict(COUNTRIES[country].locales), name="locales")


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    first: str
    last: str
    b2b: bool
    language: str


class Generator:
    """One portfolio's random choices, in a fixed order so that a seed reproduces it."""

    def __init__(
        self,
        *,
        seed: int,
        start: date,
        countries: Mapping[str, float],
        profiles: Mapping[str, float],
        b2b_share: float,
        validate: bool,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self.validate = validate
        self.start = start
        self.countries, self.country_weights = _weights(countries, name="countries")
        self.profiles, self.profile_weights = _weights(profiles, name="profiles")
        self.b2b_share = b2b_share
        self.used_emails: set[str] = set()
        self.invoice_counter = 0

    def make(self, model: type[_M], /, **data: Any) -> _M:
        """Build ``model``; without validation when the generator's own values are trusted."""
        return model(**data) if self.validate else trusted(model, **data)

    def money(self, amount: Decimal, currency: str) -> Money:
        """Money rounded half up to cents (all supported currencies have cents)."""
        return self.make(Money, amount=amount.quantize(_CENT, ROUND_HALF_UP), currency=currency)

    def case(self, number: int, *, prefix: str) -> tuple[Case, BehaviourProfile]:
        rng = self.rng
        country = COUNTRIES[_pick(rng, self.countries, self.country_weights)]
        profile = BehaviourProfile(_pick(rng, self.profiles, self.profile_weights))
        kind = CustomerKind.B2B if rng.random() < self.b2b_share else CustomerKind.B2C
        debtor = self.debtor(f"{prefix}-{number:06d}", country, profile, kind)
        invoices = self.invoices(country, profile, kind)
        return self.make(Case, id=debtor.id, debtor=debtor, invoices=invoices), profile

    def debtor(
        self, debtor_id: str, country: CountryProfile, profile: BehaviourProfile, kind: CustomerKind
    ) -> Debtor:
        rng = self.rng
        locales, shares = _locale_weights(country.code)
        locale = _pick(rng, locales, shares)
        language_name = LOCALE_LANGUAGE[locale]
        language = LANGUAGES[language_name]
        first, last = rng.choice(language.first_names), rng.choice(language.last_names)
        person = f"{first} {last}"
        name = self.company(last, language, country) if kind is CustomerKind.B2B else person
        who = _Person(name, first, last, kind is CustomerKind.B2B, language_name)
        contacts = self.contacts(who, country, language)
        behaviour = self.behaviour(profile)
        return self.make(
            Debtor,
            id=debtor_id,
            name=name,
            kind=kind,
            locale=locale,
            timezone=country.timezone,
            contacts=contacts,
            consents=self.consents(contacts),
            preferred_channels=self.preferred(contacts),
            tags=self.tags(contacts, behaviour, kind),
            attributes=self.attributes(profile),
            behaviour=behaviour,
            contact_person=person if kind is CustomerKind.B2B else None,
        )

    def company(self, last: str, language: Language, country: CountryProfile) -> str:
        rng = self.rng
        form = rng.choice(country.company_forms)
        if rng.random() < 0.3:
            return f"{last} & {rng.choice(language.last_names)} {form}"
        return f"{last} {form}"

    def contacts(self, who: _Person, country: CountryProfile, language: Language) -> Contacts:
        rng = self.rng
        b2b = who.b2b
        place = rng.choice(country.places)
        number = str(_between(rng, 1, 180)) + ("a" if rng.random() < 0.05 else "")
        address = self.make(
            PostalAddress,
            name=who.name,
            street=rng.choice(language.streets),
            house_number=number,
            postcode=place[0],
            city=place[1],
            country=country.code,
        )
        has_email = rng.random() < (0.95 if b2b else 0.85)
        has_phone = rng.random() < (0.7 if b2b else 0.8)
        email = self.email(who) if has_email else None
        app = not b2b and rng.random() < 0.15
        return self.make(
            Contacts,
            address=address,
            email=email,
            phone=self.phone(country) if has_phone else None,
            push_tokens=(f"push-{rng.getrandbits(64):016x}",) if app else (),
            portal_user_id=f"portal-{rng.getrandbits(32):08x}" if rng.random() < 0.3 else None,
        )

    def email(self, who: _Person) -> str:
        rng = self.rng
        if who.b2b:
            words = (_ascii(word).replace(".", "") for word in who.name.split()[:2])
            slug = "-".join(w for w in words if w)
            candidate = f"{_ACCOUNTS_MAILBOX[who.language]}@{slug}.{rng.choice(EMAIL_DOMAINS)}"
        else:
            local = f"{_ascii(who.first)}.{_ascii(who.last)}".strip(".")
            candidate = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        while candidate in self.used_emails:
            local_part, domain = candidate.split("@")
            candidate = f"{local_part.rstrip('0123456789')}{_between(rng, 2, 999)}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def phone(self, country: CountryProfile) -> str:
        rng = self.rng
        digits = int(rng.random() * 10**country.subscriber_digits)
        return f"{rng.choice(country.mobile_prefixes)}{digits:0{country.subscriber_digits}d}"

    def consents(self, contacts: Contacts) -> dict[str, bool]:
        rng = self.rng
        consents: dict[str, bool] = {}
        if contacts.phone is None:
            return consents
        draw = rng.random()
        if draw < 0.65:
            consents["sms"] = True
        elif draw < 0.75:
            consents["sms"] = False
        if rng.random() < 0.35:
            consents["whatsapp"] = True
        if rng.random() < 0.15:
            consents["voice"] = True
        return consents

    def preferred(self, contacts: Contacts) -> tuple[str, ...]:
        rng = self.rng
        if rng.random() >= 0.2:
            return ()
        options = [c for c, ok in (("email", contacts.email), ("sms", contacts.phone)) if ok]
        return (rng.choice([*options, "letter"]),)

    def behaviour(self, profile: BehaviourProfile) -> PaymentBehaviour:
        rng = self.rng
        if rng.random() < 0.12:
            return self.make(PaymentBehaviour)
        (late_low, late_high), (days_low, days_high) = _HISTORY[profile]
        invoices = _between(rng, 1, 20)
        late = round(invoices * rng.uniform(late_low, late_high))
        return self.make(
            PaymentBehaviour,
            paid_on_time=invoices - late,
            paid_late=late,
            average_days_late=Decimal(_between(rng, days_low, days_high)) if late else Decimal(0),
            last_payment_on=self.start - timedelta(days=_between(rng, 10, 120)),
        )

    def tags(
        self, contacts: Contacts, behaviour: PaymentBehaviour, kind: CustomerKind
    ) -> frozenset[str]:
        tags = {kind.value}
        if behaviour.on_time_ratio is None:
            tags.add("new_customer")
        if contacts.push_tokens:
            tags.add("app_user")
        if contacts.portal_user_id:
            tags.add("portal_user")
        if contacts.email is None and contacts.phone is None:
            tags.add("paper_only")
        return frozenset(tags)

    def attributes(self, profile: BehaviourProfile) -> dict[str, int | date]:
        rng = self.rng
        score = max(1, min(100, round(rng.gauss(_SCORE[profile], 10))))
        since = self.start - timedelta(days=_between(rng, 30, 3650))
        return {"credit_score": score, "customer_since": since}

    def invoices(
        self, country: CountryProfile, profile: BehaviourProfile, kind: CustomerKind
    ) -> tuple[Invoice, ...]:
        rng = self.rng
        draw = rng.random()
        count = 1 if draw < 0.75 else 2 if draw < 0.93 else 3
        first_due = self.start + timedelta(days=_between(rng, -30, 10))
        terms = 30 if kind is CustomerKind.B2B else rng.choice((14, 30))
        return tuple(
            self.invoice(country, profile, kind, first_due + timedelta(days=30 * i), terms)
            for i in range(count)
        )

    def invoice(
        self,
        country: CountryProfile,
        profile: BehaviourProfile,
        kind: CustomerKind,
        due_on: date,
        terms: int,
    ) -> Invoice:
        rng = self.rng
        self.invoice_counter += 1
        amount = self.amount(country, kind)
        open_amount = amount
        if profile is BehaviourProfile.STRUGGLING and rng.random() < 0.3:
            share = Decimal(_between(rng, 30, 80)) / 100
            open_amount = self.money(amount.amount * share, amount.currency)
        return self.make(
            Invoice,
            id=f"{country.invoice_prefix}-{due_on.year}-{self.invoice_counter:06d}",
            amount=amount,
            open_amount=open_amount,
            issued_on=due_on - timedelta(days=terms),
            due_on=due_on,
            description="Services" if kind is CustomerKind.B2B else None,
        )

    def amount(self, country: CountryProfile, kind: CustomerKind) -> Money:
        rng = self.rng
        if kind is CustomerKind.B2B:
            value = min(60000.0, max(50.0, math.exp(rng.gauss(math.log(1200), 1.0))))
        else:
            value = min(4000.0, max(9.9, math.exp(rng.gauss(math.log(85), 0.9))))
        amount = Decimal(f"{value:.2f}")
        if country.currency == "GBP":
            amount *= _GBP_FACTOR
        return self.money(amount, country.currency)
