"""Affected assets proposed from the registry for an incident's involved parties (issue 11 §2), and
their confirmation by the user.

What is proposed: only what the involved parties themselves received or hold —

* an asset of ours that an involved party holds (a data holding with the party as holder, whoever
  it came from): proposed and ticked in advance;
* an asset owned by an involved party that is one of our group companies (a breached group
  company holds its own data, but the registry does not say which system was hit): proposed,
  not ticked — the user decides.

Nothing else: the blast radius' downstream copies (what the party passed on to its
subcontractors) are not breached by this incident; they are named beside the proposal ("passed on
to …") so the user can add those parties to the incident if they are breached too. Assets already
listed on the incident are not proposed again. The user confirms each proposal; nothing is added
without that (`incident_assets_confirm`).

Counts: records of an asset are the party's holdings of it (summed over its senders, capped at the
asset's total), the largest over the parties; an unknown count stays unknown (None), never 0.
Persons are the asset's persons scaled by the share of records when both are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.services import record_save
from renkei.incidents.response import selectors
from renkei.incidents.response.models import Incident, IncidentAsset
from renkei.incidents.response.timeline import ACTION, check_incident, timeline_system
from renkei.registry.models import DataHolding, InformationAsset, Organisation


@dataclass
class AssetProposal:
    """One asset proposed for an incident; `selected` is the box ticked in advance."""

    asset_id: int
    name: str
    personal_info: bool
    sensitive_personal_info: bool
    records: int | None  # None: unknown
    persons: int | None  # None: unknown
    total_records: int | None
    held_by: list[str] = field(default_factory=list)  # the involved parties holding it
    owned_by: list[str] = field(default_factory=list)  # involved group companies owning it
    passed_on_to: list[str] = field(default_factory=list)  # downstream holders through the parties
    selected: bool = False

    @property
    def note(self) -> str:
        """The affected asset's note once confirmed (who holds it, from the registry)."""
        if self.held_by:
            text = _("From the registry: held by {holders}.").format(holders=", ".join(self.held_by))
        else:
            text = _("From the registry: owned by {owners}.").format(owners=", ".join(self.owned_by))
        if self.passed_on_to:
            text += " " + _("Passed on to {parties}.").format(parties=", ".join(self.passed_on_to))
        return text[:500]


def _scaled_persons(persons: int | None, records: int | None, total: int | None) -> int | None:
    if persons is None or records is None:
        return None
    if total and records < total:
        return round(persons * records / total)
    return persons


def _max_known(a: int | None, b: int | None) -> int | None:
    """Across parties: the larger exposure, unknown if either is unknown (unknown vs 400 is not 400)."""
    if a is None or b is None:
        return None
    return max(a, b)


def asset_proposals(
    incident: Incident, *, parties: Sequence[Organisation] | None = None, radii: selectors.Radii | None = None
) -> list[AssetProposal]:
    """The assets to propose for the incident's involved parties (see the module's rule), in name
    order, without those already listed. `radii`: the parties' blast radii when the caller has them
    (for the "passed on to" names); otherwise they are computed here (one load of the graph)."""
    parties = list(incident.parties.all()) if parties is None else list(parties)
    if not parties:
        return []
    party_ids = {p.pk for p in parties}
    names = {p.pk: p.name for p in parties}
    listed = set(incident.assets.values_list("asset_id", flat=True)) if incident.pk else set()
    # Per (asset, party): the party's records of it (None once one of its holdings is unknown).
    held: dict[int, dict[int, int | None]] = {}
    for asset_id, holder_id, count in DataHolding.objects.filter(holder_id__in=party_ids).values_list(
        "asset_id", "holder_id", "record_count"
    ):
        counts = held.setdefault(asset_id, {})
        before = counts.get(holder_id, 0)
        counts[holder_id] = None if before is None or count is None else before + count
    assets = InformationAsset.objects.filter(Q(pk__in=set(held)) | Q(group_company_id__in=party_ids))
    proposals: dict[int, AssetProposal] = {}
    for asset in assets:
        if asset.pk in listed:
            continue
        total = asset.record_count
        per_party = held.get(asset.pk, {})
        records: int | None = total
        holders: list[str] = []
        if per_party:
            records = 0
            for count in per_party.values():
                capped = count if count is None or total is None else min(count, total)
                records = _max_known(records, capped)
            holders = sorted(names[pk] for pk in per_party)
        proposals[asset.pk] = AssetProposal(
            asset_id=asset.pk,
            name=asset.name,
            personal_info=asset.has_personal_info,
            sensitive_personal_info=asset.has_sensitive_personal_info,
            records=records,
            persons=_scaled_persons(asset.person_count, records, total),
            total_records=total,
            held_by=holders,
            owned_by=[names[asset.group_company_id]] if asset.group_company_id in party_ids else [],
            selected=bool(per_party),
        )
    if proposals:
        if radii is None:
            radii = selectors.blast_radii(parties)
        for radius in radii.values():
            for exposed in radius.exposed_assets:
                proposal = proposals.get(exposed.id)
                if proposal is None:
                    continue
                for holder in exposed.holders:
                    if holder.id not in party_ids and holder.name not in proposal.passed_on_to:
                        proposal.passed_on_to.append(holder.name)
    return sorted(proposals.values(), key=lambda p: (not p.selected, p.name))


def incident_assets_confirm(
    *, user: Any, incident: Incident, asset_ids: Iterable[int], via: str = ""
) -> list[IncidentAsset]:
    """Add the proposed assets the user ticked (each must still be a proposal; none ticked adds
    nothing), with their counts
    and a note naming the holders; one timeline entry lists them. The persons count is not set here:
    the APPI panel proposes it from the affected assets and the user confirms it (`deadlines`)."""
    check_incident(user, incident)
    wanted = set(asset_ids)
    if not wanted:  # every proposal declined: nothing to add
        return []
    proposals = {p.asset_id: p for p in asset_proposals(incident)}
    unknown = wanted - set(proposals)
    if unknown:
        raise RenkeiError(
            _("Only assets the involved parties hold can be added from the registry; add others by hand."),
            field_name="asset_ids",
        )
    chosen = [proposals[pk] for pk in sorted(wanted, key=lambda pk: proposals[pk].name)]
    company = incident.group_company_id
    with transaction.atomic():
        items = [
            record_save(
                user=user,
                instance=IncidentAsset(
                    incident=incident, asset_id=p.asset_id, records=p.records, persons=p.persons, note=p.note
                ),
                action=ACTION,
                company_id=company,
            )
            for p in chosen
        ]
        lines = [
            _("Affected assets confirmed from the registry: {assets}").format(assets=", ".join(p.name for p in chosen))
        ]
        timeline_system(incident=incident, text="\n".join(lines), user=user, via=via)
    return items
