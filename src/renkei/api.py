"""The REST API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from renkei.accounts.api import router as accounts_router
from renkei.accounts.api_auth import TokenAuth
from renkei.assessments.api import router as assessments_router
from renkei.chain.api import router as chain_router
from renkei.core.api import ActiveSessionAuth, SelfHostedSwagger, error_body, install_error_handlers
from renkei.incidents.response.api import router as incidents_router
from renkei.registry.api import router as registry_router
from renkei.software.api import router as software_router


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The documentation page and the OpenAPI schema are for logged-in users (the schema names every
    operation and field). A machine may read the schema with its API token; an anonymous visitor of
    the page goes to the login page, an anonymous schema request gets the API's 401."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            if TokenAuth()(request) is not None:
                return view(request, *args, **kwargs)
            return JsonResponse(error_body(_("Authentication required.")), status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


api = NinjaAPI(
    title="Renkei API",
    version="1",
    description="Supply-chain security registry, exposure and chain analytics.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    docs=SelfHostedSwagger(),
    docs_decorator=docs_login_required,
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
