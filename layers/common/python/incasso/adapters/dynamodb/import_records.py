"""Import records in the claims table: an import of a CSV file, its state and its report."""

from __future__ import annotations

from incasso.adapters import keys
from incasso.adapters.codec import AttributeValue, attrs_to_model, model_to_attrs
from incasso.adapters.dynamodb.table import Table
from incasso.domain.import_records import ImportRecord


class ImportRecords(Table):
    def _import_key(self, tenant_id: str, import_id: str) -> dict[str, AttributeValue]:
        return {"pk": {"S": keys.import_pk(tenant_id, import_id)}, "sk": {"S": keys.IMPORT_SK}}

    def put_import(self, tenant_id_or_record: str | ImportRecord, record: ImportRecord | None = None) -> ImportRecord:
        """Write an import record: ``put_import(record)`` or ``put_import(tenant_id, record)``."""
        if isinstance(tenant_id_or_record, ImportRecord):
            record = tenant_id_or_record
        elif record is None or record.tenant_id != tenant_id_or_record:
            raise ValueError("the import record belongs to another tenant")
        item = model_to_attrs(record)
        item.update(self._import_key(record.tenant_id, record.import_id), entity={"S": "import"})
        self.client.put_item(TableName=self.table_name, Item=item)
        return record

    def get_import(self, tenant_id: str, import_id: str) -> ImportRecord | None:
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True,
                                    Key=self._import_key(tenant_id, import_id)).get("Item")
        return attrs_to_model(ImportRecord, item) if item else None
