#!/bin/sh
# Stream Lambda (template.yaml StreamFunction): the Lambda Web Adapter (AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap)
# starts this, waits for GET /api/health on $PORT, then relays each invocation to it as HTTP and streams
# the response back (AWS_LWA_INVOKE_MODE=response_stream). The same app `twin serve` runs locally.
# The layer's packages live in /opt/python; the runtime puts that on PYTHONPATH for handlers only.
export PYTHONPATH="/opt/python${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -m uvicorn --factory twin.api.local_app:build_local_app --host 127.0.0.1 --port "${PORT:-8080}" \
    --no-proxy-headers --timeout-keep-alive 30
