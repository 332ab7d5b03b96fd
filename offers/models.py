from django.db import models

from offers.usage import USAGE_FLAGS
from tracks.models import Product


class Offer(models.Model):
    """How a product is offered to digital services.

    The usage flags apply to every track of the product unless a track offer
    overrides them for one track.
    """

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="offers"
    )
    release_date = models.DateField(null=True, blank=True)
    preorder_date = models.DateField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    download = models.BooleanField(default=True)
    on_demand_stream = models.BooleanField(default=True)
    non_interactive_stream = models.BooleanField(default=True)
    copy_scan = models.BooleanField(
        default=True, help_text="Send the product's tracks to fingerprint scanning."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(is_default=True),
                name="offer_one_default_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} of {self.product_id}"

    @property
    def usage(self) -> dict[str, bool]:
        return {flag: getattr(self, flag) for flag in USAGE_FLAGS}
