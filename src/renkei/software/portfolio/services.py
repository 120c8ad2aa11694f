"""Writes of products and releases: who may change them and what moves with them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404, visible
from renkei.core.services import record_delete, record_save
from renkei.core.tenancy import default_group_company_id
from renkei.registry.models import Organisation
from renkei.software.models import DeliveredFile, Finding, Product, Release, Sbom
from renkei.software.services import ACTION


def product_save(*, user: Any, product: Product) -> Product:
    """Create or update a product. It belongs to the user's group company unless one is given;
    the supplier must be an organisation the user may see. Moving a product to another group
    company moves its releases, SBOMs, files and findings with it."""
    product.name = (product.name or "").strip()
    if product.group_company_id is None:
        product.group_company_id = default_group_company_id(user)
        if product.group_company_id is None:
            raise RenkeiError(_("Register the own company first."), field_name="group_company")
    if (
        product.supplier_id is not None
        and user is not None
        and not visible(Organisation.objects.filter(pk=product.supplier_id), user).exists()
    ):
        raise RenkeiError(_("Not found."), field_name="supplier")
    previous = (
        Product.objects.filter(pk=product.pk).values_list("group_company_id", flat=True).first() if product.pk else None
    )
    with transaction.atomic():
        record_save(user=user, instance=product, action=ACTION)
        if previous is not None and previous != product.group_company_id:
            company = product.group_company_id
            releases = Release.objects.filter(product=product)
            releases.update(group_company_id=company)
            Sbom.objects.filter(release__in=releases).update(group_company_id=company)
            DeliveredFile.objects.filter(release__in=releases).update(group_company_id=company)
            Finding.objects.filter(release__in=releases).update(group_company_id=company)
    return product


def product_delete(*, user: Any, product: Product) -> None:
    """Delete a product with its releases, SBOMs, files and findings."""
    record_delete(user=user, instance=product, action=ACTION)


def release_save(*, user: Any, release: Release) -> Release:
    """Create or update a release; it belongs to its product's group company."""
    release.version = (release.version or "").strip()
    if release.product_id is None:
        raise RenkeiError(_("This field is required."), field_name="product")
    if user is not None:
        product = get_visible_or_404(Product.objects.all(), user, pk=release.product_id)
    else:
        product = Product.objects.get(pk=release.product_id)
    if release.pk is not None:
        previous = Release.objects.filter(pk=release.pk).values_list("product_id", flat=True).first()
        if previous is not None and previous != release.product_id:
            # Its SBOMs, files and findings belong to the product it was delivered as.
            raise RenkeiError(_("A release cannot move to another product."), field_name="product")
    release.group_company_id = product.group_company_id
    return record_save(user=user, instance=release, action=ACTION)


def release_delete(*, user: Any, release: Release) -> None:
    """Delete a release with its SBOMs, files and findings."""
    record_delete(user=user, instance=release, action=ACTION)
