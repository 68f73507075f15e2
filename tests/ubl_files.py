"""UBL 2.1 / Peppol BIS Billing 3.0 invoices and zips of them, written for tests (the layout of the
specification's base example, cut down to what an invoice to collect needs)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "unit" / "invoice_ubl" / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ubl_invoice(number: str = "F-2026-001", *, issued: str = "2025-12-01", due: str | None = "2025-12-31",
                amount: str = "1210.00", currency: str = "EUR", buyer: str = "Bakkerij Smit B.V.",
                email: str | None = "administratie@smit.example", kvk: str | None = "87654321",
                vat: str | None = None, reference: str | None = "K-1001", street: str | None = "Markt 1",
                postal_code: str | None = "5611 AA", city: str | None = "Eindhoven", type_code: str = "380",
                terms: str | None = None, extra: str = "") -> bytes:
    """An invoice; leave out a part by passing None for it."""
    def tag(name: str, value: str | None, attrs: str = "") -> str:
        return f"<cbc:{name}{attrs}>{escape(value)}</cbc:{name}>" if value is not None else ""

    address = ""
    if street or postal_code or city:
        address = (f"<cac:PostalAddress>{tag('StreetName', street)}{tag('CityName', city)}"
                   f"{tag('PostalZone', postal_code)}<cac:Country><cbc:IdentificationCode>NL"
                   "</cbc:IdentificationCode></cac:Country></cac:PostalAddress>")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  {tag('ID', number)}
  {tag('IssueDate', issued)}
  {tag('DueDate', due)}
  <cbc:InvoiceTypeCode>{type_code}</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
  {extra}
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Acme B.V.</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    {f'<cac:PartyIdentification>{tag("ID", reference)}</cac:PartyIdentification>' if reference else ''}
    {address}
    {f'<cac:PartyTaxScheme>{tag("CompanyID", vat)}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>' if vat else ''}
    <cac:PartyLegalEntity>{tag('RegistrationName', buyer)}{tag('CompanyID', kvk, ' schemeID="0106"')}</cac:PartyLegalEntity>
    {f'<cac:Contact>{tag("ElectronicMail", email)}</cac:Contact>' if email else ''}
  </cac:Party></cac:AccountingCustomerParty>
  {f'<cac:PaymentTerms>{tag("Note", terms)}</cac:PaymentTerms>' if terms else ''}
  <cac:LegalMonetaryTotal>
    <cbc:TaxInclusiveAmount currencyID="{currency}">{amount}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{currency}">{amount}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
</Invoice>
""".encode("utf-8")


def ubl_credit_note(number: str = "CN-1") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
            xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
            xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2025-12-05</cbc:IssueDate>
  <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">100.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</CreditNote>
""".encode("utf-8")


def zip_of(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol4;</ID></Invoice>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>&xxe;</cbc:ID>
</Invoice>
"""
