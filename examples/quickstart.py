"""Quickstart: build a validated case and see what bad input looks like."""

from __future__ import annotations

from datetime import date

import creditcomms as cc


def main() -> None:
    case = cc.Case(
        debtor=cc.Debtor(
            id="C-1001",
            name="Erika Mustermann",
            locale="de_DE",
            timezone="Europe/Berlin",
            contacts=cc.Contacts(email="erika@example.de", phone="+49 151 12345678"),
            consents={cc.SMS: True},
        ),
        invoices=[
            cc.Invoice(
                id="RE-2026-0001",
                amount=cc.Money("123.45", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            )
        ],
    )
    print(f"case {case.id}: {case.open_amount.format(case.debtor.locale)} open")
    print(f"{case.days_past_due(date(2026, 11, 22))} days past due")
    try:
        cc.Debtor(id="C-1002", name="Jan", timezone="Europe/Amsterdm")
    except cc.ValidationError as error:
        print(error)


if __name__ == "__main__":
    main()
