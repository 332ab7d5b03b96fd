from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django's model permissions, with reading needing the view permission."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def _queryset(self, view):
        """Return the view's class-level queryset, which names the model.

        DRF builds the whole ``get_queryset()`` (joins for ``include``, the
        parent's filter) to learn only its model, and the view builds it
        again to answer.
        """
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            return queryset
        return super()._queryset(view)
