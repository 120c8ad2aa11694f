from django.urls import path

from renkei.chain import views

app_name = "chain"

urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("map/data/", views.map_data, name="map_data"),
    path("blast-radius/<int:pk>/", views.BlastRadiusView.as_view(), name="blast_radius"),
]
