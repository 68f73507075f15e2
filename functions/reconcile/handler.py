"""Bank statements (CONTRACT.md §9): an S3 ObjectCreated event under ``statements/`` of the imports
bucket; reads the CAMT.053 or MT940 file and books the payments it matches."""

from incasso.handlers import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> object:
    # Loaded at the first call rather than at init: the claims domain and the parsers (lxml, mt-940).
    from incasso.services import wiring
    from incasso.services.reconciliation import handle_s3_event

    outcomes = handle_s3_event(wiring.reconciliation_service(), event, log=logger.warning)
    for outcome in outcomes:
        logger.info("bank statement", extra=outcome)
    return {"statements": outcomes}
