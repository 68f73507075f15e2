"""Bank statement files for tests (imported by this unique module name from any test folder): a CAMT.053
(ING's layout) or an MT940 (ING's :86:) of the tenant's account with the credits and debits given."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

IBAN = "NL44RABO0123456789"  # tenant_profiles.IBAN


@dataclass(frozen=True)
class Payment:
    amount: str
    remittance: str = ""
    reference: str | None = None  # a structured betalingskenmerk
    booked_on: str = "2025-06-02"
    bank_reference: str = "REF-1"
    name: str = "J. de Vries"
    debit: bool = False
    currency: str = "EUR"


def camt053(payments: list[Payment], *, account: str = IBAN, currency: str = "EUR", version: str = "02") -> bytes:
    entries = []
    for p in payments:
        remittance = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>"
                      f"<Ref>{p.reference}</Ref></CdtrRefInf></Strd>" if p.reference else
                      f"<Ustrd>{escape(p.remittance)}</Ustrd>")
        side = "Cdtr" if p.debit else "Dbtr"
        entries.append(
            f"<Ntry><Amt Ccy=\"{p.currency}\">{p.amount}</Amt><CdtDbtInd>{'DBIT' if p.debit else 'CRDT'}</CdtDbtInd>"
            f"<Sts>BOOK</Sts><BookgDt><Dt>{p.booked_on}</Dt></BookgDt><ValDt><Dt>{p.booked_on}</Dt></ValDt>"
            f"<AcctSvcrRef>{p.bank_reference}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><{side}><Nm>{escape(p.name)}</Nm>"
            f"</{side}></RltdPties><RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>")
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
            f"camt.053.001.{version}\"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2025-06-03T06:00:00</CreDtTm>"
            f"</GrpHdr><Stmt><Id>1</Id><Acct><Id><IBAN>{account}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>").encode()


def mt940(payments: list[Payment], *, account: str = IBAN, currency: str = "EUR") -> bytes:
    lines = [":20:940S250602", f":25:{account}{currency}", ":28C:00001", f":60F:C250601{currency}0,00"]
    for p in payments:
        day = p.booked_on[2:].replace("-", "")
        remi = f"/REMI/STRD/CUR/{p.reference}/" if p.reference else f"/REMI/USTD//{p.remittance}/"
        lines += [f":61:{day}{day[2:]}{'D' if p.debit else 'C'}{p.amount.replace('.', ',')}NTRFNONREF//{p.bank_reference}",
                  f":86:/CNTP/NL20INGB0001234567/INGBNL2A/{p.name}///{remi}"]
    lines += [f":62F:C250602{currency}0,00", "-"]
    return "\r\n".join(lines).encode()
