"""Every message kind renders in both languages, strictly, with what every letter must name."""

import importlib.resources
import re
from decimal import Decimal

import jinja2
import pytest
from pydantic import ValidationError

from incasso.domain.models import Language, MessageKind
from incasso.letters.render import (
    CostNotice,
    LetterContext,
    _variables,
    render_message,
    template_environment,
    template_name,
)
from letters_factories import SENT_ON, make_claim, make_context, make_tenant

ALL = [(kind, language) for kind in MessageKind for language in Language]


def test_one_template_per_kind_per_language_ships_with_the_package():
    # given the installed package / then every kind has a template in both languages beside it
    templates = importlib.resources.files("incasso") / "templates"
    for kind, language in ALL:
        assert (templates / template_name(kind, language)).is_file(), template_name(kind, language)


@pytest.mark.parametrize("kind, language", ALL)
def test_every_kind_renders_with_everything_a_letter_names(kind, language):
    # given a complete context for the kind
    ctx = make_context(kind, language=language.value)
    # when rendered (StrictUndefined: any missing variable would raise)
    message = render_message(ctx)
    body = message.body_text
    # then subject, body and SMS text are there, in the language asked for
    assert message.kind is kind and message.language is language
    assert message.subject and "\n" not in message.subject
    assert 0 < len(message.sms_text) <= 320
    # and the creditor, the invoice, how to pay
    assert "Acme Verhuur B.V." in body
    assert "2025-001" in message.subject
    assert "NL44 RABO 0123 4567 89" in body
    assert re.search(rf"(kenmerk|reference) {ctx.claim.payment_reference}", body)  # the betalingskenmerk
    # and amounts in the language's own format
    euro = r"€ \d{1,3}(\.\d{3})*,\d{2}" if language is Language.NL else r"€\d{1,3}(,\d{3})*\.\d{2}"
    assert re.search(euro, body)
    # and nothing leaked from Python or Jinja
    for leak in ("None", "Undefined", "{{", "{%", "Decimal(", "datetime."):
        assert leak not in body and leak not in message.subject and leak not in message.sms_text


@pytest.mark.parametrize("kind, language", ALL)
def test_letters_with_an_outstanding_amount_show_the_full_breakdown(kind, language):
    ctx = make_context(kind, language=language.value)
    body = render_message(ctx).body_text
    if language is Language.NL:
        expected = ["Factuur 2025-001 van 1 april 2025, vervaldatum 1 mei 2025", "Hoofdsom", "Rente",
                    "Totaal openstaand"]
    else:
        expected = ["Invoice 2025-001 of 1 April 2025, due 1 May 2025", "Principal", "Interest", "Total outstanding"]
    for text in expected:
        assert text in body


def test_a_missing_variable_is_an_error_not_an_empty_string():
    # given the real template and its variables without one of them
    ctx = make_context("reminder_1")
    variables = _variables(ctx)
    del variables["iban"]
    template = template_environment().get_template(template_name(ctx.kind, ctx.language))
    # when rendered / then Jinja refuses
    with pytest.raises(jinja2.UndefinedError, match="iban"):
        template.render(variables)


def test_autoescape_is_on_for_html_and_off_for_text():
    env = template_environment()
    assert env.autoescape("letter.html") is True
    assert env.autoescape("nl/reminder_1.txt.j2") is False


def test_language_defaults_to_the_debtors():
    claim = make_claim(language="en")
    ctx = LetterContext(tenant=make_tenant(), claim=claim, kind=MessageKind.REMINDER_1, sent_on=SENT_ON)
    assert ctx.language is Language.EN
    assert render_message(ctx).body_text.startswith("Dear Sir or Madam,")


@pytest.mark.parametrize("name, debtor_type, language, expected", [
    ("J. de Vries", "consumer", "nl", "Geachte heer/mevrouw De Vries,"),
    ("J.P. van den Berg", "consumer", "en", "Dear Mr/Ms Van den Berg,"),
    ("Jan de Vries", "consumer", "nl", "Geachte heer, mevrouw,"),  # first name or surname? not guessed
    ("Bakkerij De Korst B.V.", "business", "nl", "Geachte heer, mevrouw,"),  # a company: whoever handles it
    ("A. Jansen", "business", "en", "Dear Sir or Madam,"),
])
def test_salutation_names_the_surname_where_known_and_never_addresses_a_company_as_a_person(
        name, debtor_type, language, expected):
    claim = make_claim(name=name, debtor_type=debtor_type, language=language)
    ctx = LetterContext(tenant=make_tenant(), claim=claim, kind=MessageKind.REMINDER_1, sent_on=SENT_ON)
    assert render_message(ctx).body_text.startswith(expected + "\n")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_bailiff_letter_names_the_competent_court_and_threatens_no_wage_garnishment_to_a_company(language):
    company = make_context("bailiff_filing", claim=make_claim(debtor_type="business", language=language))
    body = render_message(company).body_text
    assert ("kantonrechter" in body) and ("inkomen" not in body and "income" not in body)
    person = render_message(make_context("bailiff_filing", claim=make_claim(language=language))).body_text
    assert "inkomen" in person or "income" in person


def test_kinds_refuse_a_context_without_what_they_need():
    tenant, claim = make_tenant(), make_claim()
    for kind, missing in [("call_scheduled", "call_slot"), ("payment_confirmation", "allocation"),
                          ("arrangement_confirmation", "instalments")]:
        with pytest.raises(ValidationError, match=missing):
            LetterContext(tenant=tenant, claim=claim, kind=kind, sent_on=SENT_ON)


def test_reminder_1_is_free_of_charge_and_announces_no_costs():
    body = render_message(make_context("reminder_1")).body_text
    assert "geen kosten" in body
    assert "incassokosten" not in body


def test_reminder_2_announces_costs_for_a_consumer_only_after_a_14_day_letter():
    # given a consumer: costs follow only after a 14-day letter, and no amount is named yet
    consumer = render_message(make_context("reminder_2")).body_text
    assert "veertiendagenbrief" in consumer
    assert "incassokosten" in consumer
    assert "€ 425,00" not in consumer
    # given a business debtor: the costs and the commercial interest are announced
    business = render_message(make_context("reminder_2", claim=make_claim(debtor_type="business"),
                                           costs_notice=CostNotice(costs=Decimal("425.00")))).body_text
    assert "incassokosten in rekening (artikel 6:96 BW) van € 425,00" in business
    assert "wettelijke handelsrente verschuldigd (artikel 6:119a BW)" in business
    assert "veertiendagenbrief" not in business


def test_notice_of_default_states_commercial_interest_and_costs_per_policy():
    business = make_claim(debtor_type="business", name="Bakkerij Jansen B.V.")
    # given the staffel (the default policy)
    staffel = render_message(make_context("notice_of_default", claim=business)).body_text
    assert "Hierbij stellen wij u in gebreke" in staffel
    assert "wettelijke handelsrente (artikel 6:119a BW) verschuldigd, thans 10,15% per jaar" in staffel
    assert "Sinds 2 mei 2025" in staffel
    assert "Tot en met 3 juni 2025 bedraagt deze rente € 12,34" in staffel
    assert "incassokosten verschuldigd van € 425,00 (artikel 6:96 BW)" in staffel
    assert "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd" in staffel
    # given the flat EUR 40 of art. 6:96 lid 4 BW
    flat = render_message(make_context("notice_of_default", claim=business, language="en",
                                       costs_notice=CostNotice(costs=Decimal("40.00"), flat_fee=True))).body_text
    assert "Under article 6:96(4) of the Dutch Civil Code you also owe a fixed compensation for collection costs of €40.00" in flat
    assert "statutory commercial interest (article 6:119a of the Dutch Civil Code)" in flat


def test_call_scheduled_tells_when_we_call():
    message = render_message(make_context("call_scheduled"))
    assert "donderdag 3 juli 2025 om 10:30" in message.subject
    assert "op nummer 06 12345678" in message.body_text
    assert "10:30" in message.sms_text


def test_payment_confirmation_shows_the_allocation_and_what_remains():
    # given a payment of 1,000.00 on a claim of 3,012.34: interest first, then principal (art. 6:44 BW)
    claim = make_claim(paid="1000.00")
    body = render_message(make_context("payment_confirmation", claim=claim)).body_text
    assert "Wij hebben uw betaling van € 1.000,00 op 2 juni 2025" in body
    assert re.search(r"Kosten\s+€ 0,00\n\s+Rente\s+€ 12,34\n\s+Hoofdsom\s+€ 987,66\n\s+Totaal ontvangen\s+€ 1\.000,00", body)
    assert "Er staat nog € 2.012,34 open." in body
    # given the claim is paid in full
    paid = make_claim(paid="3012.34")
    done = render_message(make_context("payment_confirmation", claim=paid, language="en")).body_text
    assert "has now been paid in full" in done
    assert "Please transfer" not in done


def test_arrangement_confirmation_lists_the_instalments():
    body = render_message(make_context("arrangement_confirmation", language="en")).body_text
    assert "in 2 instalments" in body
    assert re.search(r"1\. by 1 July 2025\s+€1,500\.00", body)
    assert re.search(r"2\. by 1 August 2025\s+€1,512\.34", body)
    assert re.search(r"Total\s+€3,012\.34", body)


def test_bailiff_filing_tells_the_file_went_to_the_bailiff():
    body = render_message(make_context("bailiff_filing", bailiff_name="Gerechtsdeurwaarders Van Dam")).body_text
    assert "overgedragen aan gerechtsdeurwaarder Gerechtsdeurwaarders Van Dam" in body
    assert "veertiendagenbrief" in body
    assert "griffierecht" in body


def test_costs_booked_after_the_term_appear_in_the_breakdown():
    claim = make_claim(costs="425.00", costs_vat="89.25")
    body = render_message(make_context("bailiff_filing", claim=claim, language="en")).body_text
    assert re.search(r"Collection costs\s+€425\.00", body)
    assert re.search(r"VAT on collection costs\s+€89\.25", body)
    assert re.search(r"Total outstanding\s+€3,526\.59", body)


def test_rendering_is_deterministic():
    assert render_message(make_context("fourteen_day_letter")) == render_message(make_context("fourteen_day_letter"))


def test_context_survives_a_round_trip_through_json():
    # given a context (handlers may pass one between steps as JSON)
    ctx = make_context("fourteen_day_letter")
    # when dumped and read back / then it is the same, and a tampered total is refused
    assert LetterContext.model_validate_json(ctx.model_dump_json()) == ctx
    data = ctx.model_dump(mode="json")
    data["amounts"]["outstanding"] = "1.00"
    with pytest.raises(ValidationError, match="does not add up"):
        LetterContext.model_validate(data)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_art_6_96_lid_5_and_6_119_lid_3_letters_call_agreed_costs_and_an_agreed_rate_agreed_never_statutory(language):
    from incasso.domain.models import AgreedCollectionCosts

    # given a business debtor with agreed costs (15 %) and an agreed rate of 14 % (above the commercial rate)
    business = make_claim(debtor_type="business", name="Bakkerij Jansen B.V.", language=language).model_copy(
        update={"agreed_collection_costs": AgreedCollectionCosts(percentage=Decimal("15")),
                "agreed_interest_rate": Decimal("14")})
    agreed = CostNotice(costs=Decimal("450.00"), agreed=True)
    # when every letter that speaks of costs or interest is rendered
    bodies = {kind: render_message(make_context(kind, claim=business, costs_notice=agreed)).body_text
              for kind in ("reminder_1", "reminder_2", "notice_of_default")}
    # then each calls the rate and the costs agreed, and none calls them statutory
    if language == "nl":
        assert "de overeengekomen rente van 14% per jaar verschuldigd (artikel 6:119 lid 3 BW)" in bodies["reminder_1"]
        assert "de met u overeengekomen buitengerechtelijke incassokosten in rekening" in bodies["reminder_2"]
        assert "de met u overeengekomen buitengerechtelijke incassokosten verschuldigd van € 450,00" in \
            bodies["notice_of_default"]
        struck = ("wettelijke handelsrente", "wettelijke staffel", "Besluit vergoeding", "thans 10,15%")
    else:
        assert "The agreed interest of 14% a year has been running" in bodies["reminder_1"]
        assert "the extrajudicial collection costs agreed with you" in bodies["reminder_2"]
        assert "the extrajudicial collection costs agreed with you of €450.00" in bodies["notice_of_default"]
        struck = ("statutory commercial interest", "statutory scale", "Decree on compensation", "currently 10.15%")
    for kind, body in bodies.items():
        for wording in struck:
            assert wording not in body, (kind, wording)


def test_an_agreed_rate_below_the_statutory_one_is_not_named_the_statutory_rate_applies():
    # given an agreed rate of 2 %, below the commercial rate (art. 6:119 lid 3 BW: only a higher rate replaces it)
    business = make_claim(debtor_type="business").model_copy(update={"agreed_interest_rate": Decimal("2")})
    # when the notice of default is rendered / then it speaks of the statutory commercial rate
    body = render_message(make_context("notice_of_default", claim=business)).body_text
    assert "wettelijke handelsrente (artikel 6:119a BW) verschuldigd, thans 10,15% per jaar" in body
    assert "overeengekomen" not in body


def test_agreed_costs_never_appear_in_a_consumers_14_day_letter():
    # given a 14-day letter context that names agreed costs / then it is refused before rendering
    with pytest.raises(ValidationError, match="agreed collection costs are for business debtors"):
        make_context("fourteen_day_letter", costs_notice=CostNotice(costs=Decimal("450.00"), agreed=True))
