"""CSV imports: S3 ObjectCreated events in the imports bucket, and the import state machine's steps
(a Distributed Map batch of rows; the final tally) for files too large for one run."""

from incasso.handlers import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> object:
    # Loaded at the first call rather than at init: the import service brings the claims domain (~40 ms).
    from incasso.services.imports import handle_s3_event
    from incasso.services.wiring import import_service

    service = import_service()
    if "Items" in event:  # a Distributed Map batch (ItemBatcher): {"BatchInput": {...}, "Items": [...]}
        return service.ingest_batch(event.get("BatchInput") or {}, event["Items"])
    if event.get("action") == "finish_import":
        record = service.finish_distributed(event, failed=bool(event.get("error")))
        return {"import_id": record.import_id, "status": record.status.value}
    outcomes = handle_s3_event(service, event, log=logger.warning)
    for outcome in outcomes:
        logger.info("import", extra=outcome)
    return {"imports": outcomes}
