"""Bank statement files: CAMT.053 (ISO 20022, versions .001.02 to .001.08) read with lxml under strict
protections, and MT940 read with the ``mt-940`` library, into ``ParsedStatement``. The objects of the imports bucket are read by
``incasso.adapters.statement_files``, never beyond ``MAX_STATEMENT_BYTES``.

Protections for XML (what defusedxml guards against, enforced here on lxml): a document with a DTD
(``<!DOCTYPE``) or an entity declaration is refused before parsing — a bank statement never has one — so
no entity expansion ("billion laughs", quadratic blow-up) and no external entity can be reached; the
parser itself resolves no entities, loads no DTD, never touches the network, keeps lxml's default limits
on depth and text size (``huge_tree`` off), and the file is refused by size before it is read.

Where the Dutch banks put things (from their published CAMT.053 and MT940 format descriptions):
- ING: ``Ntry/AcctSvcrRef``; counterparty in ``TxDtls/RltdPties/Dbtr/Nm`` (``Dbtr/Pty/Nm`` from .08);
  the betalingskenmerk in ``RmtInf/Strd/CdtrRefInf/Ref``, free text in ``RmtInf/Ustrd``. MT940 ``:86:``
  with ``/CNTP/iban/bic/name/city/`` and ``/REMI/USTD//text/`` or ``/REMI/STRD/CUR/reference/``.
- Rabobank: the reference of the transaction in ``TxDtls/Refs/AcctSvcrRef``; MT940 ``:86:`` with
  ``/EREF/``, ``/NAME/``, ``/REMI/``.
- ABN AMRO: the whole description also in ``Ntry/AddtlNtryInf`` (``/TRTP/.../NAME/.../REMI/...``); MT940
  ``:86:`` in the same ``/KEY/value`` form.
- bunq: CAMT .001.02, counterparty and ``Ustrd`` per ``TxDtls``, ``AcctSvcrRef`` on the entry.
- Knab: CAMT .001.08 (``Dbtr/Pty/Nm``, ``Sts/Cd``), MT940 with a free-text ``:86:``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from incasso.domain.bank.entries import BankEntry, Direction, ParsedStatement, StatementFormat
from incasso.money import MAX_ABS_AMOUNT

MAX_STATEMENT_BYTES = 25 * 1024 * 1024  # a busy account's month of CAMT is a few MB
CAMT_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8]$")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MT940_KEYS = ("TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "ORDP", "CNTP", "ID", "MARF", "CSID", "BENM",
               "ADDR", "ISDT", "RTRN", "PREF", "KREF", "USTD", "STRD", "CUR", "ULTC", "ULTD", "PURP")
_MT940_TAG = re.compile(r"/(" + "|".join(_MT940_KEYS) + r")/")


class StatementFileError(ValueError):
    """The file as a whole cannot be read: nothing of it is booked."""


def parse_statement(data: bytes) -> ParsedStatement:
    """A CAMT.053 or MT940 statement; ``StatementFileError`` when it is neither or cannot be read whole."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementFileError(f"the file is larger than {MAX_STATEMENT_BYTES // (1024 * 1024)} MB")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return parse_camt053(data)
    if b":20:" in data[:4096] or b":61:" in data or b":60F:" in data:
        return parse_mt940(data)
    raise StatementFileError("not a CAMT.053 (XML) or MT940 statement")


# -- CAMT.053 --------------------------------------------------------------------------------------
def _parser() -> Any:
    from lxml import etree  # the reconciliation Lambda alone needs lxml (~15 ms to import)

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_camt053(data: bytes) -> ParsedStatement:
    from lxml import etree  # deferred: only the reconciliation Lambda parses XML

    if b"\x00" in data[:1024]:
        # UTF-16 or UTF-32: the DTD check below reads bytes, and no Dutch bank exports CAMT.053 that way.
        raise StatementFileError("the XML is not UTF-8 (it looks like UTF-16): export the statement as UTF-8")
    if _DTD.search(data):
        raise StatementFileError("the file declares a DTD or entities, which a bank statement never does: "
                                 "refused unread")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise StatementFileError(f"the XML cannot be read: {exc.msg}") from None
    if root.getroottree().docinfo.doctype:  # belt and braces: nothing may slip past the byte check above
        raise StatementFileError("the file declares a DTD, which a bank statement never does: refused")
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not CAMT_NAMESPACE.match(namespace):
        raise StatementFileError("not a CAMT.053 statement (versions .001.02 to .001.08): the document is "
                                 f"{etree.QName(root).localname} in {namespace or 'no namespace'}")
    ns = {"c": namespace}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if len(statements) != 1:
        raise StatementFileError(f"the file holds {len(statements)} statements; upload one statement per file")
    stmt = statements[0]
    account = _text(stmt, "c:Acct/c:Id/c:IBAN", ns)
    if not account:
        raise StatementFileError("the statement names no IBAN (Acct/Id/IBAN)")
    currency = _text(stmt, "c:Acct/c:Ccy", ns) or _first_currency(stmt, ns) or "EUR"
    entries: list[BankEntry] = []
    for ntry in stmt.findall("c:Ntry", ns):
        entries.extend(_camt_entries(ntry, ns, account, position=len(entries) + 1))
    return ParsedStatement(format=StatementFormat.CAMT053, account=account, currency=currency, entries=entries)


def _text(node: Any, path: str, ns: dict) -> str:
    found = node.find(path, ns)
    return " ".join((found.text or "").split()) if found is not None and found.text else ""


def _first_currency(stmt: Any, ns: dict) -> str:
    amount = stmt.find("c:Ntry/c:Amt", ns)
    return amount.get("Ccy", "") if amount is not None else ""


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise StatementFileError(f"an amount cannot be read: {text[:40]!r}") from None
    if not value.is_finite() or value < 0 or value >= MAX_ABS_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise StatementFileError(f"an amount cannot be read: {text[:40]!r}")
    return value


def _date(node: Any, path: str, ns: dict) -> dt.date | None:
    text = _text(node, f"{path}/c:Dt", ns) or _text(node, f"{path}/c:DtTm", ns)[:10]
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise StatementFileError(f"a date cannot be read: {text[:20]!r}") from None


def _camt_entries(ntry: Any, ns: dict, account: str, position: int) -> list[BankEntry]:
    amount_node = ntry.find("c:Amt", ns)
    if amount_node is None or not amount_node.text:
        raise StatementFileError(f"entry {position} has no amount")
    indicator = _text(ntry, "c:CdtDbtInd", ns)
    if indicator not in ("CRDT", "DBIT"):
        raise StatementFileError(f"entry {position} is neither credit nor debit (CdtDbtInd {indicator!r})")
    booked_on = _date(ntry, "c:BookgDt", ns) or _date(ntry, "c:ValDt", ns)
    if booked_on is None:
        raise StatementFileError(f"entry {position} has no booking date")
    status = _text(ntry, "c:Sts", ns) or _text(ntry, "c:Sts/c:Cd", ns)
    details = ntry.findall("c:NtryDtls/c:TxDtls", ns)
    common = dict(account=account, booked_on=booked_on, value_date=_date(ntry, "c:ValDt", ns),
                  direction=Direction.CREDIT if indicator == "CRDT" else Direction.DEBIT,
                  problem=None if status in ("", "BOOK") else f"not booked by the bank yet (status {status})")
    entry_reference = _text(ntry, "c:AcctSvcrRef", ns)
    additional = _text(ntry, "c:AddtlNtryInf", ns)
    if len(details) <= 1:
        tx = details[0] if details else None
        return [_camt_entry(tx, ns, position, _amount(amount_node.text.strip()), amount_node.get("Ccy", "EUR"),
                            entry_reference, additional, common)]
    # A batch entry: each transaction is its own payment, with its own amount and reference.
    result = []
    for n, tx in enumerate(details):
        tx_amount = tx.find("c:Amt", ns)
        if tx_amount is None:
            tx_amount = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
        if tx_amount is None or not tx_amount.text:
            raise StatementFileError(f"transaction {n + 1} of entry {position} has no amount of its own")
        result.append(_camt_entry(tx, ns, position + n, _amount(tx_amount.text.strip()), tx_amount.get("Ccy", "EUR"),
                                  f"{entry_reference}#{n + 1}" if entry_reference else "", additional, common))
    return result


def _camt_entry(tx: Any, ns: dict, position: int, amount: Decimal, currency: str, entry_reference: str,
                additional: str, common: dict) -> BankEntry:
    counterparty = iban = end_to_end = structured = None
    remittance = ""
    reference = entry_reference
    if tx is not None:
        reference = _text(tx, "c:Refs/c:AcctSvcrRef", ns) or entry_reference
        end_to_end = _text(tx, "c:Refs/c:EndToEndId", ns) or None
        if end_to_end == "NOTPROVIDED":
            end_to_end = None
        # The payer of a credit is the debtor, of a debit the creditor; .08 wraps the party in Pty.
        side = "Dbtr" if common["direction"] is Direction.CREDIT else "Cdtr"
        counterparty = (_text(tx, f"c:RltdPties/c:{side}/c:Nm", ns) or _text(tx, f"c:RltdPties/c:{side}/c:Pty/c:Nm", ns)
                        or None)
        iban = _text(tx, f"c:RltdPties/c:{side}Acct/c:Id/c:IBAN", ns) or None
        remittance = " ".join(filter(None, (" ".join((u.text or "").split()) for u in tx.findall("c:RmtInf/c:Ustrd", ns))))
        structured = _text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns) or None
        if not remittance:
            remittance = _text(tx, "c:AddtlTxInf", ns)
    if not remittance and additional:
        remittance = _tagged(additional).get("REMI", additional)
        counterparty = counterparty or _tagged(additional).get("NAME")
        iban = iban or _tagged(additional).get("IBAN")
    return BankEntry(position=position, amount=amount, currency=currency, bank_reference=reference,
                     end_to_end_id=end_to_end, counterparty=counterparty, counterparty_iban=iban,
                     remittance=remittance[:500], structured_reference=structured, **common)


# -- MT940 -----------------------------------------------------------------------------------------
def parse_mt940(data: bytes) -> ParsedStatement:
    import mt940  # the reconciliation Lambda alone needs it

    text = _decode(data)
    try:
        transactions = mt940.models.Transactions()
        transactions.parse(text)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on a bad file; all mean "unreadable"
        raise StatementFileError(f"the MT940 file cannot be read: {str(exc)[:200]}") from None
    account = _iban(str(transactions.data.get("account_identification") or ""))
    if not account:
        raise StatementFileError("the statement names no account (:25:)")
    if not transactions.transactions:
        balance = transactions.data.get("final_opening_balance") or transactions.data.get("opening_balance")
        if balance is None:
            raise StatementFileError("the MT940 file holds no statement (:60F: and :61: missing)")
    currency = str(transactions.data.get("currency") or "")
    balance = transactions.data.get("final_opening_balance")
    if not currency and balance is not None:
        currency = str(getattr(balance.amount, "currency", "") or "")
    entries = [_mt940_entry(t.data, n + 1, account) for n, t in enumerate(transactions.transactions)]
    return ParsedStatement(format=StatementFormat.MT940, account=account, currency=currency or "EUR", entries=entries)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementFileError("the MT940 file is not text")


def _iban(account: str) -> str:
    """``NL44RABO0123456789EUR`` or ``NL44RABO0123456789``: the IBAN of a :25: line."""
    cleaned = account.replace(" ", "").upper()
    match = re.match(r"([A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}?)(EUR|USD|GBP)?$", cleaned)
    return match.group(1) if match else cleaned


def _tagged(details: str) -> dict[str, str]:
    """``/KEY/value/KEY/value`` of an :86: line (ING, Rabobank, ABN AMRO); {} for free text."""
    text = details.replace("\n", "").replace("\r", "")
    parts = _MT940_TAG.split(text)
    if len(parts) < 3:
        return {}
    tags: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2]):
        tags.setdefault(key, value.strip("/ ").strip())
    if "CNTP" in tags:  # ING: /CNTP/iban/bic/name/city/
        fields = tags["CNTP"].split("/")
        tags.setdefault("IBAN", fields[0] if fields else "")
        if len(fields) > 2:
            tags.setdefault("NAME", fields[2])
    remi = tags.get("REMI", "")
    if remi.startswith("USTD"):
        tags["REMI"] = remi[4:].strip("/ ")
    elif remi.startswith("STRD") or "STRD" in tags:
        # /REMI/STRD/CUR/5000056789012345/: the betalingskenmerk
        tags["STRD_REF"] = (tags.get("CUR") or remi.split("/")[-1]).strip("/ ")
        tags["REMI"] = tags["STRD_REF"]
    return tags


def _mt940_entry(data: dict, position: int, account: str) -> BankEntry:
    amount = data.get("amount")
    value = getattr(amount, "amount", None)
    if value is None:
        raise StatementFileError(f"entry {position} has no amount")
    status = str(data.get("status") or "")
    direction = Direction.DEBIT if status.endswith("D") else Direction.CREDIT
    if status.startswith("R"):  # a reversal of a credit is money out, of a debit money in
        direction = Direction.CREDIT if direction is Direction.DEBIT else Direction.DEBIT
    booked = data.get("entry_date") or data.get("date")
    details = str(data.get("transaction_details") or "")
    tags = _tagged(details)
    remittance = tags.get("REMI") if tags else " ".join(details.split())
    reference = str(data.get("bank_reference") or "").strip()
    customer = str(data.get("customer_reference") or "").strip()
    end_to_end = tags.get("EREF") or (customer if customer and customer != "NONREF" else None)
    return BankEntry(
        position=position, account=account, booked_on=_as_date(booked), value_date=_as_date(data.get("date")),
        amount=_amount(f"{abs(Decimal(value)):.2f}"), direction=direction,
        currency=str(getattr(amount, "currency", "") or data.get("currency") or "EUR"),
        bank_reference=reference if reference and reference != "NONREF" else "",
        end_to_end_id=end_to_end if end_to_end and end_to_end != "NOTPROVIDED" else None,
        counterparty=tags.get("NAME") or None,
        # Rabobank puts the counterparty's IBAN on the :61: line's second line (supplementary details).
        counterparty_iban=tags.get("IBAN") or _iban_or_none(str(data.get("extra_details") or "")),
        remittance=(remittance or "")[:500], structured_reference=tags.get("STRD_REF"))


def _iban_or_none(text: str) -> str | None:
    cleaned = text.replace(" ", "").upper()
    return cleaned if re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", cleaned) else None


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    raise StatementFileError("an entry has no date")
