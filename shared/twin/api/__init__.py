"""HTTP edge: FastAPI routers shared by the Lambda functions and the local server."""
