"""Small embedded tables for synthetic debtors: names, streets, places and number plans.

The tables are written for this project: common first and family names, typical street names,
real (postcode, city) pairs per country, and mobile number ranges that the ``phonenumbers``
metadata accepts as valid. They make portfolios look plausible; they describe no real person.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COUNTRIES",
    "EMAIL_DOMAINS",
    "LANGUAGES",
    "LOCALE_LANGUAGE",
    "CountryProfile",
    "Language",
]


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _places(text: str) -> tuple[tuple[str, str], ...]:
    pairs = (item.split(":") for item in _items(text))
    return tuple((postcode.strip(), city.strip()) for postcode, city in pairs)


@dataclass(frozen=True, slots=True)
class Language:
    """Names and street names of one language community."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CountryProfile:
    """Everything country-specific a synthetic debtor needs."""

    code: str
    """ISO 3166-1 alpha-2 code (``GB`` for the United Kingdom)."""
    currency: str
    timezone: str
    locales: tuple[tuple[str, float], ...]
    """Locale names with their share of the population (they sum to 1)."""
    places: tuple[tuple[str, str], ...]
    """(postcode, city) pairs."""
    mobile_prefixes: tuple[str, ...]
    """E.164 prefixes of mobile ranges, without the subscriber digits."""
    subscriber_digits: int
    company_forms: tuple[str, ...]
    invoice_prefix: str


_GERMAN_FIRST = _items(
    "Anna, Lukas, Marie, Leon, Sophie, Paul, Lena, Felix, Hannah, Jonas, Laura, Maximilian,"
    " Julia, Tobias, Katharina, Stefan, Sabine, Thomas, Claudia, Michael, Petra, Andreas,"
    " Ursula, Jürgen, Monika, Uwe, Karin, Matthias, Birgit, Florian, Jörg, Renate, Sebastian"
)
_GERMAN_LAST = _items(
    "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann,"
    " Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann,"
    " Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, Meier, Lehmann, Huber,"
    " Gruber, Brunner, Steiner, Moser, Keller, Frei, Baumann, Gerber, Widmer"
)

LANGUAGES: dict[str, Language] = {
    "german": Language(
        first_names=_GERMAN_FIRST,
        last_names=_GERMAN_LAST,
        streets=_items(
            "Hauptstraße, Bahnhofstraße, Gartenstraße, Schulstraße, Dorfstraße, Lindenstraße,"
            " Bergstraße, Kirchstraße, Waldstraße, Ringstraße, Mühlweg, Am Markt, Rosenweg,"
            " Goethestraße, Schillerstraße, Feldstraße"
        ),
    ),
    "swiss_german": Language(
        first_names=_GERMAN_FIRST,
        last_names=_GERMAN_LAST,
        streets=_items(
            "Bahnhofstrasse, Hauptstrasse, Dorfstrasse, Kirchgasse, Seestrasse,"
            " Schulhausstrasse, Poststrasse, Bergstrasse, Rosenweg, Alpenstrasse"
        ),
    ),
    "dutch": Language(
        first_names=_items(
            "Daan, Emma, Sem, Julia, Lucas, Mila, Finn, Tess, Levi, Sophie, Jan, Anouk, Pieter,"
            " Fleur, Bram, Lotte, Thijs, Sanne, Ruben, Eva, Joost, Marieke, Wouter, Ingrid, Koen,"
            " Els, Bart, Annelies"
        ),
        last_names=_items(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit,"
            " Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker,"
            " Brouwer, Peeters, Maes, Willems, Claes, Goossens, Wouters, De Smet, Mertens"
        ),
        streets=_items(
            "Kerkstraat, Schoolstraat, Molenstraat, Dorpsstraat, Stationsstraat, Nieuwstraat,"
            " Markt, Julianastraat, Beatrixlaan, Kastanjelaan, Eikenlaan, Veldstraat, Lindelaan,"
            " Hoogstraat"
        ),
    ),
    "french": Language(
        first_names=_items(
            "Camille, Louis, Léa, Gabriel, Chloé, Arthur, Manon, Hugo, Inès, Jules, Élodie,"
            " Nicolas, Isabelle, Philippe, Nathalie, Olivier, Céline, François, Sophie, Julien"
        ),
        last_names=_items(
            "Dubois, Lambert, Dupont, Martin, Leroy, Lefèvre, Girard, Fontaine, Rochat, Favre,"
            " Chevalier, Bonvin, Perret, Jacquet, Renard, Mercier, Delvaux, Lemaire, Simon,"
            " Laurent"
        ),
        streets=_items(
            "Rue de la Gare, Rue du Marché, Avenue de la Paix, Rue de l'Église, Chemin des Vignes,"
            " Rue Haute, Avenue Louise, Rue du Lac, Place du Village, Rue des Écoles"
        ),
    ),
    "english": Language(
        first_names=_items(
            "Oliver, Amelia, George, Isla, Harry, Ava, Jack, Emily, Charlie, Grace, Thomas,"
            " Sophie, James, Lucy, William, Chloe, Daniel, Hannah, Samuel, Megan, David, Sarah,"
            " Paul, Helen"
        ),
        last_names=_items(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright,"
            " Thompson, Evans, Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Patel,"
            " Khan, Hughes, Edwards"
        ),
        streets=_items(
            "High Street, Station Road, Church Lane, Victoria Road, Green Lane, Manor Road,"
            " Park Avenue, Mill Lane, Queens Road, The Crescent, Kings Road, New Street,"
            " Chapel Street, School Lane"
        ),
    ),
}
"""Language communities by name."""

LOCALE_LANGUAGE: dict[str, str] = {
    "de_DE": "german",
    "de_AT": "german",
    "de_CH": "swiss_german",
    "fr_CH": "french",
    "fr_BE": "french",
    "nl_NL": "dutch",
    "nl_BE": "dutch",
    "en_GB": "english",
}
"""The language community behind each locale a synthetic debtor can have."""

COUNTRIES: dict[str, CountryProfile] = {
    "DE": CountryProfile(
        code="DE",
        currency="EUR",
        timezone="Europe/Berlin",
        locales=(("de_DE", 1.0),),
        places=_places(
            "10115:Berlin, 10437:Berlin, 20095:Hamburg, 22765:Hamburg, 80331:München,"
            " 81541:München, 50667:Köln, 51147:Köln, 60311:Frankfurt am Main, 70173:Stuttgart,"
            " 40213:Düsseldorf, 04109:Leipzig, 44135:Dortmund, 45127:Essen, 28195:Bremen,"
            " 01067:Dresden, 30159:Hannover, 90402:Nürnberg, 53111:Bonn, 48143:Münster,"
            " 24103:Kiel, 99084:Erfurt"
        ),
        mobile_prefixes=("+49151", "+49152", "+49157", "+49160", "+49162", "+49176"),
        subscriber_digits=8,
        company_forms=("GmbH", "GmbH & Co. KG", "e.K.", "AG", "UG (haftungsbeschränkt)"),
        invoice_prefix="RE",
    ),
    "NL": CountryProfile(
        code="NL",
        currency="EUR",
        timezone="Europe/Amsterdam",
        locales=(("nl_NL", 1.0),),
        places=_places(
            "1012 AB:Amsterdam, 1071 DJ:Amsterdam, 3011 HE:Rotterdam, 2511 BT:Den Haag,"
            " 3511 LK:Utrecht, 5611 EM:Eindhoven, 9711 LM:Groningen, 6811 CG:Arnhem,"
            " 2011 VK:Haarlem, 6511 KL:Nijmegen, 4811 ZJ:Breda, 7511 JE:Enschede,"
            " 8011 CW:Zwolle, 2311 EK:Leiden"
        ),
        mobile_prefixes=("+3161", "+3162", "+3163", "+3164", "+3165"),
        subscriber_digits=7,
        company_forms=("B.V.", "V.O.F.", "N.V."),
        invoice_prefix="F",
    ),
    "AT": CountryProfile(
        code="AT",
        currency="EUR",
        timezone="Europe/Vienna",
        locales=(("de_AT", 1.0),),
        places=_places(
            "1010:Wien, 1070:Wien, 1100:Wien, 8010:Graz, 4020:Linz, 5020:Salzburg,"
            " 6020:Innsbruck, 9020:Klagenfurt am Wörthersee, 3100:St. Pölten, 6900:Bregenz,"
            " 4600:Wels, 2700:Wiener Neustadt"
        ),
        mobile_prefixes=("+43664", "+43660", "+43676", "+43699", "+43650"),
        subscriber_digits=7,
        company_forms=("GmbH", "KG", "OG", "e.U."),
        invoice_prefix="RE",
    ),
    "CH": CountryProfile(
        code="CH",
        currency="CHF",
        timezone="Europe/Zurich",
        locales=(("de_CH", 0.7), ("fr_CH", 0.3)),
        places=_places(
            "8001:Zürich, 8004:Zürich, 3011:Bern, 4051:Basel, 6003:Luzern, 9000:St. Gallen,"
            " 8400:Winterthur, 5000:Aarau, 1201:Genève, 1003:Lausanne, 2000:Neuchâtel,"
            " 1700:Fribourg, 1950:Sion"
        ),
        mobile_prefixes=("+4176", "+4177", "+4178", "+4179"),
        subscriber_digits=7,
        company_forms=("AG", "GmbH", "SA", "Sàrl"),
        invoice_prefix="RG",
    ),
    "BE": CountryProfile(
        code="BE",
        currency="EUR",
        timezone="Europe/Brussels",
        locales=(("nl_BE", 0.6), ("fr_BE", 0.4)),
        places=_places(
            "1000:Brussel, 2000:Antwerpen, 9000:Gent, 8000:Brugge, 3000:Leuven, 2800:Mechelen,"
            " 3500:Hasselt, 4000:Liège, 5000:Namur, 6000:Charleroi, 7000:Mons, 1300:Wavre"
        ),
        mobile_prefixes=("+32470", "+32472", "+32475", "+32476", "+32486", "+32496"),
        subscriber_digits=6,
        company_forms=("BV", "NV", "SRL", "SA", "VOF"),
        invoice_prefix="F",
    ),
    "GB": CountryProfile(
        code="GB",
        currency="GBP",
        timezone="Europe/London",
        locales=(("en_GB", 1.0),),
        places=_places(
            "SW1A 2AA:London, EC1A 1BB:London, N1 9GU:London, M1 1AE:Manchester,"
            " B1 1BB:Birmingham, LS1 4DY:Leeds, L1 8JQ:Liverpool, BS1 4ST:Bristol,"
            " NE1 7RU:Newcastle upon Tyne, S1 2HE:Sheffield, CF10 1EP:Cardiff,"
            " EH1 1YZ:Edinburgh, G1 1XQ:Glasgow, OX1 2JD:Oxford"
        ),
        mobile_prefixes=("+447400", "+447507", "+447723", "+447825", "+447868", "+447984"),
        subscriber_digits=6,
        company_forms=("Ltd", "LLP", "plc"),
        invoice_prefix="INV",
    ),
}
"""The supported countries by ISO code."""

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
"""Domains reserved for examples (RFC 2606): synthetic addresses never reach anyone."""
