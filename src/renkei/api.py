"""The REST API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI

from renkei.accounts.api import router as accounts_router
from renkei.accounts.api_auth import TokenAuth
from renkei.assessments.api import router as assessments_router
from renkei.chain.api import router as chain_router
from renkei.core.api import ActiveSessionAuth, install_error_handlers
from renkei.incidents.api import router as incidents_router
from renkei.registry.api import router as registry_router
from renkei.software.api import router as software_router

api = NinjaAPI(
    title="Renkei API",
    version="1",
    description="Supply-chain security registry, exposure and chain analytics.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("/accounts", accounts_router)
api.add_router("/assessments", assessments_router)
api.add_router("/chain", chain_router)
api.add_router("/incidents", incidents_router)
api.add_router("/registry", registry_router)
api.add_router("/software", software_router)


@api.get("/ping", tags=["meta"])
def ping(request):  # type: ignore[no-untyped-def]
    """Check a token or session: answers the authenticated user name."""
    return {"user": request.user.get_username()}
