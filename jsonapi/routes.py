"""URL patterns of a resource: collection, resource, related and relationships."""

from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from jsonapi.views import Relationship, RelationshipView, ResourceViewSet


def resource_urls(
    prefix: str,
    viewset: type[ResourceViewSet],
    relationships: dict[str, Relationship],
) -> list[URLPattern]:
    """Return the routes of one resource type.

    Only the relationship names of the resource match, so an unknown name
    falls through to the API's JSON:API 404.
    """
    basename = viewset.url_name
    names = "|".join(relationships)
    related_views = {
        name: relationship.target.as_view(
            {"get": "list" if relationship.many else "retrieve"},
            related=relationship,
            basename=relationship.target.url_name,
        )
        for name, relationship in relationships.items()
    }

    @csrf_exempt
    def related(request, pk: str, related_field: str):
        return related_views[related_field](request, parent_pk=pk)

    # The view behind each name, for the OpenAPI generator.
    related.targets = related_views

    return [
        re_path(
            rf"^{prefix}$",
            viewset.as_view({"get": "list", "post": "create"}, basename=basename),
            name=f"{basename}-list",
        ),
        re_path(
            rf"^{prefix}/(?P<pk>[^/]+)$",
            viewset.as_view(
                {"get": "retrieve", "patch": "partial_update", "delete": "destroy"},
                basename=basename,
            ),
            name=f"{basename}-detail",
        ),
        re_path(
            rf"^{prefix}/(?P<pk>[^/]+)/(?P<related_field>{names})$",
            related,
            name=f"{basename}-related",
        ),
        re_path(
            rf"^{prefix}/(?P<pk>[^/]+)/relationships/(?P<related_field>{names})$",
            RelationshipView.as_view(
                relationships=relationships, parent_viewset=viewset
            ),
            name=f"{basename}-relationships",
        ),
    ]
