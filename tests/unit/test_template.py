"""template.yaml: transformed in-process by aws-sam-translator (what CloudFormation would run)
and linted by cfn-lint. No AWS account or Docker involved."""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from twin.aws.local_invoke import TIMEOUTS_S

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
FUNCTIONS = {"IngestFunction": "ingest", "ChatFunction": "chat", "CleanupFunction": "cleanup",
             "MigrateFunction": "migrate"}
REQUIRED_ENV = {
    "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL",
    "DATABASE_SECRET_ARN", "DATABASE_URL", "TWIN_DB_BEHIND_POOLER", "OPENAI_API_KEY_SECRET_ARN",
    "TWIN_CHAT_RATE_LIMIT", "TWIN_INGEST_RATE_LIMIT", "TWIN_DAILY_TOKEN_BUDGET", "TWIN_CHAT_REQUIRES_KEY",
}


def load_sam() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    template: dict[str, Any] = yaml_parse(TEMPLATE.read_text())
    return template


def transform(sam: dict[str, Any], *, layer_uri: str = "s3://bucket/shared.zip") -> dict[str, Any]:
    """What `sam deploy` hands CloudFormation, with local paths replaced by the S3 URIs that
    `sam package` would upload them to (the translator only accepts those)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.transform import transform as sam_transform

    sam = copy.deepcopy(sam)
    for resource in sam["Resources"].values():
        properties = resource.get("Properties", {})
        if isinstance(properties.get("CodeUri"), str):
            properties["CodeUri"] = "s3://bucket/" + properties["CodeUri"].strip("/").replace("/", "-") + ".zip"
        if isinstance(properties.get("ContentUri"), str):
            properties["ContentUri"] = layer_uri

    class NoManagedPolicies:
        # Every managed policy the template uses is named by ARN; nothing to look up.
        def load(self) -> dict[str, str]:
            return {}

    result: dict[str, Any] = sam_transform(sam, {}, NoManagedPolicies())
    return result


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return load_sam()


@pytest.fixture(scope="module")
def cfn(sam: dict[str, Any]) -> dict[str, Any]:
    return transform(sam)


def of_type(cfn: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in cfn["Resources"].items() if r["Type"] == kind}


def the_layer(cfn: dict[str, Any]) -> str:
    layers = of_type(cfn, "AWS::Lambda::LayerVersion")
    assert len(layers) == 1
    return next(iter(layers))


def statements(role: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(condition or None, statement) for every inline policy statement of a role."""
    found: list[tuple[str | None, dict[str, Any]]] = []
    for policy in role["Properties"].get("Policies", []):
        condition = None
        if "Fn::If" in policy:
            condition, policy, otherwise = policy["Fn::If"]
            assert otherwise == {"Ref": "AWS::NoValue"}
        found.extend((condition, s) for s in policy["PolicyDocument"]["Statement"])
    return found


def test_template_passes_cfn_lint() -> None:
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE)
    errors = [f"{m.rule.id} line {m.linenumber}: {m}" for m in matches if m.rule.id.startswith("E")]
    assert errors == []


def test_transformed_template_passes_cfn_lint(cfn: dict[str, Any], tmp_path: Path) -> None:
    from cfnlint.api import lint_file

    path = tmp_path / "transformed.json"
    path.write_text(json.dumps(cfn))
    errors = [f"{m.rule.id}: {m}" for m in lint_file(path) if m.rule.id.startswith("E")]
    assert errors == []


def test_every_function_runs_python312_on_arm64_with_the_shared_layer(cfn: dict[str, Any]) -> None:
    layer = the_layer(cfn)
    functions = {name: f for name, f in of_type(cfn, "AWS::Lambda::Function").items() if name != "StreamFunction"}
    assert set(functions) == set(FUNCTIONS)
    for name, function in functions.items():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.12", name
        assert properties["Architectures"] == ["arm64"], name
        assert properties["Handler"] == "app.handler", name
        assert properties["MemorySize"] == 1024, name
        assert properties["TracingConfig"] == {"Mode": "Active"}, name
        assert properties["Layers"] == [{"Ref": layer}], name
        # the local runner (twin invoke) gives each function the same time budget
        assert properties["Timeout"] == TIMEOUTS_S[FUNCTIONS[name]], name


def test_layer_is_built_by_the_makefile_for_python312_arm64(sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    layer = sam["Resources"]["SharedLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "shared/"
    properties = cfn["Resources"][the_layer(cfn)]["Properties"]
    assert properties["CompatibleRuntimes"] == ["python3.12"]
    assert properties["CompatibleArchitectures"] == ["arm64"]
    makefile = (ROOT / "shared" / "Makefile").read_text()
    assert re.search(r"^build-SharedLayer:", makefile, re.MULTILINE)
    for needle in ("manylinux2014_aarch64", "--only-binary=:all:", "--python-version 3.12",
                   "compileall", "migrations_sql"):
        assert needle in makefile, needle


def test_layer_requirements_mirror_the_runtime_dependencies() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = set(pyproject["project"]["dependencies"])
    lines = (ROOT / "shared" / "requirements.txt").read_text().splitlines()
    shipped = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert shipped == declared
    assert not any(name in line for line in shipped for name in ("pgserver", "onnxruntime", "swagger"))


def test_every_function_gets_the_configuration_environment(cfn: dict[str, Any]) -> None:
    for name, function in of_type(cfn, "AWS::Lambda::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert set(variables) >= REQUIRED_ENV, name
        assert variables["POWERTOOLS_SERVICE_NAME"] == "digital-twin"
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "DigitalTwin"
        assert variables["DATABASE_SECRET_ARN"] == {"Ref": "DatabaseSecretArn"}
        assert variables["TWIN_CHAT_RATE_LIMIT"] == {"Ref": "ChatRateLimit"}


def test_cleanup_runs_on_the_parameterised_schedule(sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    assert sam["Parameters"]["CleanupSchedule"]["Default"] == "rate(1 hour)"
    rules = of_type(cfn, "AWS::Events::Rule")
    assert len(rules) == 1
    rule = next(iter(rules.values()))["Properties"]
    assert rule["ScheduleExpression"] == {"Ref": "CleanupSchedule"}
    assert rule["State"] == "ENABLED"
    assert [t["Arn"] for t in rule["Targets"]] == [{"Fn::GetAtt": ["CleanupFunction", "Arn"]}]
    permissions = [p["Properties"] for p in of_type(cfn, "AWS::Lambda::Permission").values()
                   if p["Properties"]["Principal"] == "events.amazonaws.com"]
    assert [p["FunctionName"] for p in permissions] == [{"Ref": "CleanupFunction"}]


def test_http_api_routes_reach_the_right_function(cfn: dict[str, Any]) -> None:
    api = of_type(cfn, "AWS::ApiGatewayV2::Api")
    assert len(api) == 1
    paths = next(iter(api.values()))["Properties"]["Body"]["paths"]
    routes = {}
    for path, methods in paths.items():
        for method, operation in methods.items():
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            assert operation["x-amazon-apigateway-integration"]["payloadFormatVersion"] == "2.0"
            target = re.search(r"\$\{(\w+?)(Alias\w+)?\}/invocations", uri)
            assert target is not None, uri
            routes[f"{method.upper()} {path}"] = target.group(1)
    assert routes == {
        "POST /api/ingest": "IngestFunction",
        "GET /api/documents": "IngestFunction",
        "DELETE /api/documents/{id+}": "IngestFunction",
        "POST /api/chat": "ChatFunction",
        "GET /api/health": "ChatFunction",
        "GET /api/profile": "ChatFunction",
        "GET /": "ChatFunction",
        "GET /chat": "ChatFunction",
        "GET /widget.js": "ChatFunction",
        "GET /static/{name}": "ChatFunction",
    }


def test_schema_migration_custom_resource_calls_migrate_on_every_layer_change(
        sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    resources = of_type(cfn, "Custom::SchemaMigration")
    assert list(resources) == ["SchemaMigration"]
    properties = resources["SchemaMigration"]["Properties"]
    assert properties["ServiceToken"] == {"Fn::GetAtt": ["MigrateFunction", "Arn"]}
    assert properties["SchemaVersion"] == {"Ref": "SchemaVersion"}
    assert properties["SharedLayerVersion"] == {"Ref": the_layer(cfn)}
    assert int(properties["ServiceTimeout"]) < 3600

    # The layer (which carries sql/) gets a new logical id, hence a new version ARN and an
    # Update of the custom resource, whenever its uploaded content changes.
    changed = transform(sam, layer_uri="s3://bucket/shared-with-a-new-migration.zip")
    assert the_layer(changed) != the_layer(cfn)
    assert changed["Resources"]["SchemaMigration"]["Properties"]["SharedLayerVersion"] == {
        "Ref": the_layer(changed)}


def test_api_functions_wait_for_the_schema(cfn: dict[str, Any]) -> None:
    for name in ("IngestFunction", "ChatFunction", "CleanupFunction"):
        depends = cfn["Resources"][name].get("DependsOn")
        assert "SchemaMigration" in ([depends] if isinstance(depends, str) else depends), name


def test_secret_access_is_scoped_to_the_parameter_arns(cfn: dict[str, Any]) -> None:
    roles = {name: cfn["Resources"][f"{name}Role"] for name in FUNCTIONS}
    expected = {
        "IngestFunction": {"DatabaseSecretArn", "OpenAIKeySecretArn"},
        "ChatFunction": {"DatabaseSecretArn", "OpenAIKeySecretArn"},
        "CleanupFunction": {"DatabaseSecretArn"},
        "MigrateFunction": {"DatabaseSecretArn"},
    }
    conditions = {"DatabaseSecretArn": "HasDatabaseSecret", "OpenAIKeySecretArn": "HasOpenAIKeySecret"}
    for name, role in roles.items():
        granted = set()
        for condition, statement in statements(role):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if not any(a.startswith("secretsmanager:") for a in actions):
                continue
            assert actions == ["secretsmanager:GetSecretValue"], name
            resource = statement["Resource"]
            # the policy template renders as Fn::Sub of exactly the parameter, never a wildcard
            assert "*" not in json.dumps(resource), name
            parameter = resource["Fn::Sub"][1]["secretArn"]["Ref"]
            assert condition == conditions[parameter], (name, parameter)
            granted.add(parameter)
        assert granted == expected[name], name


def test_migrate_may_only_describe_its_own_stack(cfn: dict[str, Any]) -> None:
    extra = [s for _, s in statements(cfn["Resources"]["MigrateFunctionRole"])
             if "secretsmanager:GetSecretValue" not in json.dumps(s["Action"])]
    assert extra == [{"Effect": "Allow", "Action": "cloudformation:DescribeStacks",
                      "Resource": {"Ref": "AWS::StackId"}}]


def test_optional_settings_are_conditional(sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    parameters = sam["Parameters"]
    for name in ("DatabaseSecretArn", "DatabaseUrl", "OpenAIKeySecretArn", "SubnetIds", "SecurityGroupIds"):
        assert parameters[name]["Default"] == "", name
    assert parameters["DatabaseUrl"]["NoEcho"] is True
    assert parameters["EnableSnapStart"]["Default"] == "false"
    for name, function in of_type(cfn, "AWS::Lambda::Function").items():
        vpc = function["Properties"]["VpcConfig"]
        assert vpc["Fn::If"][0] == "HasVpc", name
        assert vpc["Fn::If"][2] == {"Ref": "AWS::NoValue"}, name
    for name in ("IngestFunction", "ChatFunction"):
        snap = cfn["Resources"][name]["Properties"]["SnapStart"]["ApplyOn"]
        assert snap == {"Fn::If": ["SnapStartEnabled", "PublishedVersions", "None"]}


def test_outputs_name_the_api_url_and_functions(sam: dict[str, Any]) -> None:
    outputs = sam["Outputs"]
    assert outputs["ApiUrl"]["Value"] == {
        "Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"}
    for name in FUNCTIONS:
        assert outputs[f"{name}Name"]["Value"] == {"Ref": name}


def test_streaming_is_an_optional_function_url_in_response_stream_mode_behind_the_web_adapter(
        cfn: dict[str, Any]) -> None:
    stream = of_type(cfn, "AWS::Lambda::Function")["StreamFunction"]
    assert stream["Condition"] == "StreamingEnabled"
    environment = stream["Properties"]["Environment"]["Variables"]
    assert environment["AWS_LWA_INVOKE_MODE"] == "response_stream"
    assert environment["AWS_LAMBDA_EXEC_WRAPPER"] == "/opt/bootstrap"
    assert stream["Properties"]["Handler"] == "run.sh"
    assert {"Ref": "LambdaWebAdapterLayerArn"} in stream["Properties"]["Layers"]
    url = next(iter(of_type(cfn, "AWS::Lambda::Url").values()))
    assert url["Properties"]["InvokeMode"] == "RESPONSE_STREAM"


def test_cors_is_an_allow_list_without_credentials(sam: dict[str, Any]) -> None:
    cors = sam["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["Fn::If"][1]
    assert cors["AllowCredentials"] is False
    assert cors["AllowOrigins"] == {"Fn::Split": [",", {"Ref": "CorsOrigins"}]}
    assert sam["Globals"]["Function"]["Environment"]["Variables"]["TWIN_CORS_ORIGINS"] == {"Ref": "CorsOrigins"}


def test_template_defaults_agree_with_the_settings_defaults(sam: dict[str, Any]) -> None:
    from twin.config import Settings

    parameters = sam["Parameters"]
    defaults = Settings()
    assert parameters["ChatRateLimit"]["Default"] == (
        f"{defaults.chat_rate_limit.limit}/{defaults.chat_rate_limit.window_s}")
    assert parameters["IngestRateLimit"]["Default"] == (
        f"{defaults.ingest_rate_limit.limit}/{defaults.ingest_rate_limit.window_s}")
    assert int(parameters["DailyTokenBudget"]["Default"]) == defaults.daily_token_budget
    assert parameters["ChatRequiresKey"]["Default"] == str(defaults.chat_requires_key).lower()
    assert parameters["DbBehindPooler"]["Default"] == str(defaults.db_behind_pooler).lower()
