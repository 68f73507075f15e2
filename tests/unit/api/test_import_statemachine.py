"""The import state machine for large CSV files: its ASL and its place in the topology.

moto cannot create it (its ASL parser knows neither ItemBatcher nor CSVDelimiter), so its shape is
checked here and the batch processor it calls is tested on moto in tests/integration/ingest.
"""

import json
import re

from infra.topology import TOPOLOGY

MACHINE = TOPOLOGY.state_machine("import")
ASL = json.loads(MACHINE.definition_path.read_text())


def test_it_is_declared_with_its_function_substitution_and_environment():
    assert MACHINE.function_substitutions == {"IngestFunctionArn": "ingest"}
    assert MACHINE.runs_locally is False
    assert TOPOLOGY.environment("ingest", {"import": "arn:import"})["IMPORT_STATE_MACHINE_ARN"] == "arn:import"
    # every placeholder in the definition has a substitution
    placeholders = set(re.findall(r"\$\{(\w+)\}", MACHINE.definition_path.read_text()))
    assert placeholders == set(MACHINE.function_substitutions)


def test_a_choice_routes_each_delimiter_to_a_distributed_map_over_the_csv():
    choice = ASL["States"][ASL["StartAt"]]
    targets = {rule["StringEquals"]: rule["Next"] for rule in choice["Choices"]}
    targets["COMMA"] = choice["Default"]
    for delimiter, state_name in targets.items():
        state = ASL["States"][state_name]
        reader = state["ItemReader"]
        assert state["Type"] == "Map"
        assert reader["Resource"] == "arn:aws:states:::s3:getObject"
        assert reader["ReaderConfig"] == {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": delimiter}
        assert reader["Parameters"] == {"Bucket.$": "$.bucket", "Key.$": "$.key"}
        # rows carry their index so reports can name the file's row numbers
        assert state["ItemSelector"] == {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"}
        assert state["ItemBatcher"]["MaxItemsPerBatch"] >= 100
        assert set(state["ItemBatcher"]["BatchInput"]) == {"tenant_id.$", "import_id.$", "source.$", "bucket.$",
                                                            "results_prefix.$"}
        processor = state["ItemProcessor"]
        assert processor["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
        task = processor["States"][processor["StartAt"]]
        assert task["Parameters"]["FunctionName"] == "${IngestFunctionArn}" and task["Retry"]
        assert state["Next"] == "Finish" and state["Catch"][0]["Next"] == "FinishAfterFailure"


def test_both_ends_add_the_batch_reports_up():
    for name in ("Finish", "FinishAfterFailure"):
        state = ASL["States"][name]
        assert state["Resource"] == "${IngestFunctionArn}" and state["End"] is True
        assert state["Parameters"]["action"] == "finish_import"
    assert "error.$" in ASL["States"]["FinishAfterFailure"]["Parameters"]
