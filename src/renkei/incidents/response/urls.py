"""Pages of incident response: incidents and what hangs off them (assets, tasks, inquiries, costs,
attachments, the notification plan), and the response organisation (roles, reply templates,
playbooks, drills). Included by the app's urls.py under the `incidents` namespace."""

from django.urls import path

from renkei.incidents.response import setup_views, views

urlpatterns = [
    # incidents
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("new/", views.IncidentCreateView.as_view(), name="incident_create"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentUpdateView.as_view(), name="incident_update"),
    path("<int:pk>/delete/", views.IncidentDeleteView.as_view(), name="incident_delete"),
    path("<int:pk>/appi/", views.IncidentAppiView.as_view(), name="incident_appi"),
    path("<int:pk>/appi/persons/", views.PersonsConfirmView.as_view(), name="incident_persons_confirm"),
    path("<int:pk>/status/", views.IncidentStatusView.as_view(), name="incident_status"),
    path("<int:pk>/timeline/", views.TimelineAddView.as_view(), name="timeline_add"),
    # affected assets
    path("<int:pk>/assets/prefill/", views.AssetsPrefillView.as_view(), name="assets_prefill"),
    path("<int:parent_pk>/assets/new/", views.IncidentAssetEditView.as_view(), name="asset_create"),
    path("assets/<int:pk>/edit/", views.IncidentAssetEditView.as_view(), name="asset_update"),
    path("assets/<int:pk>/delete/", views.IncidentAssetDeleteView.as_view(), name="asset_delete"),
    # task board
    path("<int:pk>/tasks/", views.TaskBoardView.as_view(), name="incident_tasks"),
    path("<int:parent_pk>/tasks/new/", views.TaskEditView.as_view(), name="task_create"),
    path("tasks/<int:pk>/edit/", views.TaskEditView.as_view(), name="task_update"),
    path("tasks/<int:pk>/move/", views.TaskMoveView.as_view(), name="task_move"),
    path("tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="task_delete"),
    # inquiries
    path("<int:pk>/inquiries/", views.InquiriesView.as_view(), name="incident_inquiries"),
    path("<int:parent_pk>/inquiries/new/", views.InquiryEditView.as_view(), name="inquiry_create"),
    path("inquiries/<int:pk>/edit/", views.InquiryEditView.as_view(), name="inquiry_update"),
    path("inquiries/<int:pk>/delete/", views.InquiryDeleteView.as_view(), name="inquiry_delete"),
    # costs and compensation
    path("<int:pk>/costs/", views.CostsView.as_view(), name="incident_costs"),
    path("<int:parent_pk>/costs/new/", views.CostEditView.as_view(), name="cost_create"),
    path("costs/<int:pk>/edit/", views.CostEditView.as_view(), name="cost_update"),
    path("costs/<int:pk>/delete/", views.CostDeleteView.as_view(), name="cost_delete"),
    # attachments
    path("<int:parent_pk>/attachments/new/", views.AttachmentCreateView.as_view(), name="attachment_create"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment_delete"),
    # notification plan
    path("<int:pk>/notifications/", views.NotificationsView.as_view(), name="incident_notifications"),
    path("<int:pk>/notifications/generate/", views.PlanGenerateView.as_view(), name="notifications_generate"),
    path("<int:parent_pk>/notifications/new/", views.NotificationEditView.as_view(), name="notification_create"),
    path("notifications/<int:pk>/edit/", views.NotificationEditView.as_view(), name="notification_update"),
    path("notifications/<int:pk>/delete/", views.NotificationDeleteView.as_view(), name="notification_delete"),
    # response roles
    path("roles/", setup_views.RoleListView.as_view(), name="role_list"),
    path("roles/new/", setup_views.RoleEditView.as_view(), name="role_create"),
    path("roles/seed/", setup_views.RolesSeedView.as_view(), name="roles_seed"),
    path("roles/<int:pk>/edit/", setup_views.RoleEditView.as_view(), name="role_update"),
    path("roles/<int:pk>/delete/", setup_views.RoleDeleteView.as_view(), name="role_delete"),
    # reply templates
    path("reply-templates/", setup_views.ReplyTemplateListView.as_view(), name="reply_template_list"),
    path("reply-templates/new/", setup_views.ReplyTemplateEditView.as_view(), name="reply_template_create"),
    path("reply-templates/<int:pk>/edit/", setup_views.ReplyTemplateEditView.as_view(), name="reply_template_update"),
    path("reply-templates/<int:pk>/delete/", setup_views.ReplyTemplateDeleteView.as_view(), name="reply_template_delete"),
    # playbooks and drills
    path("playbooks/", setup_views.PlaybookListView.as_view(), name="playbook_list"),
    path("playbooks/new/", setup_views.PlaybookEditView.as_view(), name="playbook_create"),
    path("playbooks/default/", setup_views.PlaybookDefaultView.as_view(), name="playbook_default"),
    path("playbooks/<int:pk>/", setup_views.PlaybookDetailView.as_view(), name="playbook_detail"),
    path("playbooks/<int:pk>/edit/", setup_views.PlaybookEditView.as_view(), name="playbook_update"),
    path("playbooks/<int:pk>/delete/", setup_views.PlaybookDeleteView.as_view(), name="playbook_delete"),
    path("playbooks/<int:pk>/drill/", setup_views.PlaybookDrillView.as_view(), name="playbook_drill"),
    path("playbooks/<int:parent_pk>/steps/new/", setup_views.StepEditView.as_view(), name="step_create"),
    path("steps/<int:pk>/edit/", setup_views.StepEditView.as_view(), name="step_update"),
    path("steps/<int:pk>/delete/", setup_views.StepDeleteView.as_view(), name="step_delete"),
    path("steps/<int:parent_pk>/tasks/new/", setup_views.PlaybookTaskEditView.as_view(), name="playbook_task_create"),
    path("playbook-tasks/<int:pk>/edit/", setup_views.PlaybookTaskEditView.as_view(), name="playbook_task_update"),
    path("playbook-tasks/<int:pk>/delete/", setup_views.PlaybookTaskDeleteView.as_view(), name="playbook_task_delete"),
]
