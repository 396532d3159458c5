"""URL map: pages of each context, the API, the admin and the language switch."""

from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from config.api import api


def favicon(request):  # type: ignore[no-untyped-def]
    """``/favicon.ico``, which browsers ask for whatever the page links: the site's icon."""
    return redirect(static("favicon.svg"), permanent=True)


def admin_login(request, extra_context=None):  # type: ignore[no-untyped-def]
    """The admin has no login of its own: everyone signs in with the second factor."""
    return redirect("/login/?" + urlencode({"next": request.GET.get("next", "/admin/")}))


admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.site_header = "onestop"
admin.site.site_title = _("onestop administration")
admin.site.index_title = _("Configuration")

urlpatterns = [
    # The API first: patterns are tried in order, and it serves the most requests.
    path("api/v1/", api.urls),
    path("", include("onestop.portal.urls")),
    path("", include("onestop.identity.urls")),
    path("audit/", include("onestop.audit.urls")),
    path("", include("onestop.pensions.urls")),
    path("", include("onestop.unemployment.urls")),
    path("", include("onestop.contributions.urls")),
    path("", include("onestop.catalogue.urls")),
    path("", include("onestop.exchange.urls")),
    path("", include("onestop.applications.urls")),
    path("", include("onestop.notifications.urls")),
    path("", include("onestop.supervision.urls")),
    path("", include("onestop.reviews.urls")),
    path("", include("onestop.dashboards.urls")),
    path("", include("onestop.quality.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon),
]
