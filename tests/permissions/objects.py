"""The objects every row of the guard tables works on: one of each record, for the own company (the
targets) and for the subsidiary (what a user limited to it may see). Built once per test module
(tests/idor.py `shared_data`); a later app appends its builder to `OBJECT_BUILDERS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile

from renkei.registry.models import Tag
from renkei.software.enrichment.models_kev_epss import EnrichmentImport
from renkei.software.enrichment.models_nvd_jvn import NvdJvnImport
from tests import factories as f
from tests.idor import Objects
from tests.software import factories as sw


def _registry_objects(company: Any, objects: Objects) -> None:
    """One of each registry record, all belonging to `company`."""
    org = f.OrganisationFactory(name=f"{company.name}の委託先", group_company=company)
    org.tags.add(Tag.objects.get_or_create(name="権限テスト")[0])
    org2 = f.OrganisationFactory(name=f"{company.name}の再委託先", group_company=company)
    cert = f.CertificationFactory(organisation=org)
    cert.evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    held_asset = f.InformationAssetFactory(group_company=company)
    f.RelationshipFactory(client=company, provider=org)  # data flows along this one
    objects.update(
        organisation=org,
        organisation2=org2,
        # Nothing flows along this relationship, so deleting it succeeds.
        relationship=f.RelationshipFactory(client=company, provider=org2),
        contact=f.ContactFactory(organisation=org),
        certification=cert,
        asset=f.InformationAssetFactory(group_company=company),  # not held: may be deleted
        holding=f.DataHoldingFactory(asset=held_asset, holder=org, received_from=company),
        access=f.SystemAccessFactory(organisation=org),
    )


def _software_objects(company: Any, objects: Objects) -> None:
    """A product of the company's supplier with one release, its current SBOM (one PyPI component
    "requests"), a finding, a delivered file and the company's licence policy; plus one
    vulnerability and one OSV import run, which are shared reference data (not scoped)."""
    # Its own supplier (with a security contact): products protect their supplier from deletion.
    supplier = f.OrganisationFactory(name=f"{company.name}のソフトウェア会社", group_company=company)
    f.ContactFactory(organisation=supplier)
    product = sw.ProductFactory(supplier=supplier, group_company=company, name=f"{company.name}の製品")
    release = sw.ReleaseFactory(product=product, version="1.0")
    component = sw.ComponentFactory(sbom=sw.SbomFactory(release=release))
    vulnerability = sw.VulnerabilityFactory()
    objects.update(
        product=product,
        release=release,
        component=component,
        vulnerability=vulnerability,
        finding=sw.FindingFactory(component=component, vulnerability=vulnerability),
        delivered_file=sw.DeliveredFileFactory(release=release),
        licence_policy=sw.LicencePolicyFactory(group_company=company),
        osv_import=sw.OsvImportFactory(),
        enrichment_import=EnrichmentImport.objects.create(kind="kev", source="kev.json", status="done"),
        nvd_jvn_import=NvdJvnImport.objects.create(kind="nvd", source="nvdcve-2.0-2024.json.gz", status="done"),
    )


def _incident_core_objects(company: Any, objects: Objects) -> None:
    """An incident opened through its service (tasks, timeline, plan, default playbook), with one of
    each record hanging off it, and the company's response role and reply template."""
    from django.utils import timezone

    from renkei.incidents.leaks.models import TraceEvidence
    from renkei.incidents.response import services as incident_services
    from renkei.incidents.response.models import (
        Attachment,
        CostEntry,
        Incident,
        IncidentAsset,
        Inquiry,
        Playbook,
        ReplyTemplate,
        ResponseRole,
    )

    incident = incident_services.incident_open(user=None, incident=Incident(
        group_company=company, title=f"{company.name}のインシデント", learned_at=timezone.now(),
        source="partner_report", category="leak", appi_sensitive=True,
    ))
    attachment = Attachment(incident=incident, name="log.txt", size=2)
    attachment.file.save("log.txt", ContentFile(b"ok"), save=True)
    # A leaked sample traced and kept as evidence (which protects it from removal).
    sample = Attachment(incident=incident, name="sample.csv", size=9, sha256="0" * 64)
    sample.file.save("sample.csv", ContentFile(b"a@b.jp\r\n"), save=True)
    evidence = TraceEvidence.objects.create(
        incident=incident, attachment=sample, sample_name=sample.name, sample_size=9, sample_sha256="0" * 64,
        result={"filename": sample.name, "rows_total": 1, "recipients": [], "canaries": []}, traced_at=timezone.now(),
    )
    playbook = Playbook.objects.get(group_company=company, is_default=True)
    step = playbook.steps.order_by("order").first()
    objects.update(
        incident=incident,
        incident_asset=IncidentAsset.objects.create(
            incident=incident, asset=f.InformationAssetFactory(group_company=company), records=10
        ),
        incident_task=incident.tasks.order_by("order").first(),
        inquiry=Inquiry.objects.create(incident=incident, received_at=timezone.now(), question="漏れましたか"),
        cost=CostEntry.objects.create(incident=incident, amount=1000, date=timezone.localdate()),
        attachment=attachment,
        trace_evidence=evidence,
        notification=incident.notifications.order_by("order").first(),
        response_role=ResponseRole.objects.create(group_company=company, kind="csirt", name=f"{company.name}CSIRT"),
        reply_template=ReplyTemplate.objects.create(group_company=company, name="お詫び", body="申し訳ありません"),
        playbook=playbook,
        playbook_step=step,
        playbook_task=step.tasks.first() if step else None,
    )


# A later app appends its own builder: (company, objects so far) -> adds its objects to the dict.
def _incident_objects(company: Any, objects: Objects) -> None:
    """An incident to export, and an intake report (with an attachment) to triage, of `company`."""
    from django.utils import timezone

    from renkei.incidents.intake.models import IntakeAttachment, IntakeReport
    from renkei.incidents.intake.services import new_receipt_code, receipt_hash
    from renkei.incidents.response.models import Incident

    code = new_receipt_code()
    report = IntakeReport.objects.create(
        group_company=company, kind="tip", message="権限テストの通報", receipt_prefix=code[:6],
        receipt_hash=receipt_hash(code),
    )
    attachment = IntakeAttachment(report=report, name="証拠.pdf", size=9)
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    objects.update(
        report_incident=Incident.objects.create(
            group_company=company, title=f"{company.name}の事案", learned_at=timezone.now(), source="outside_tip",
            category="leak", description="権限テストの事案",
        ),
        intake_report=report,
        intake_attachment=attachment,
    )
    _leak_objects(company, objects)


def _leak_objects(company: Any, objects: Objects) -> None:
    """A dataset in the leak ledger of `company`, sent to a party of its own (with one canary)."""
    from django.utils import timezone

    from renkei.incidents.leaks.models import CanaryRecord, SharedDataset

    dataset = SharedDataset.objects.create(
        group_company=company, recipient=f.OrganisationFactory(name=f"{company.name}の受領者", group_company=company),
        name=f"{company.name}の顧客名簿", shared_on=timezone.localdate(), row_count=1, canary_count=1,
    )
    CanaryRecord.objects.create(dataset=dataset, values={"メール": "x"}, email=f"c{company.pk}@canary.renkei.example",
                                phone=f"0900000{company.pk:04d}")
    objects.update(shared_dataset=dataset)


# A later app appends its own builder: (company, objects so far) -> adds its objects to the dict.
OBJECT_BUILDERS: list[Callable[[Any, Objects], None]] = [
    _registry_objects, _software_objects, _incident_core_objects, _incident_objects,
]


def build_objects(company: Any) -> Objects:
    objects: Objects = {"company": company}
    for builder in OBJECT_BUILDERS:
        builder(company, objects)
    return objects


def build_world() -> dict[str, Objects]:
    """The own company's objects (the targets) and the subsidiary's (what a limited user may see)."""
    return {"own": build_objects(f.own_company()), "subsidiary": build_objects(f.group_company())}
