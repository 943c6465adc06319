"""/docs without the internet: Swagger UI's files come from the ``swagger-ui-bundle-v2`` package
(Apache-2.0, Swagger UI 5, which renders OpenAPI 3.1), not from a CDN. Local server only."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from twin.errors import NotFound

router = APIRouter(include_in_schema=False)
_FILES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
          "favicon-32x32.png": "image/png"}


def _bundle_dir() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


@router.get("/docs")
async def docs() -> HTMLResponse:
    if _bundle_dir() is None:
        raise NotFound("API docs need the swagger-ui-bundle-v2 package (pip install 'digital-twin[local]')",
                       code="docs_unavailable")
    return get_swagger_ui_html(openapi_url="/openapi.json", title="digital-twin API",
                               swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs/assets/swagger-ui.css",
                               swagger_favicon_url="/docs/assets/favicon-32x32.png",
                               swagger_ui_parameters={"persistAuthorization": True})


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> Response:
    folder = _bundle_dir()
    if folder is None or name not in _FILES:
        raise NotFound(f"no docs asset {name!r}", code="asset_not_found")
    return Response((folder / name).read_bytes(), media_type=_FILES[name],
                    headers={"Cache-Control": "public, max-age=86400"})
