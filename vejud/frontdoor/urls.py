from django.urls import path

from vejud.frontdoor import views

app_name = "frontdoor"
urlpatterns = [
    path("exit/", views.start, name="start"),
    path("kontakt/", views.contact, name="contact"),
    path("kontakt/tak/", views.receipt, name="receipt"),
    path("offentlige-henvendelser/", views.queue, name="queue"),
    path("offentlige-henvendelser/<str:code>/", views.detail, name="detail"),
    path("offentlige-henvendelser/<str:code>/luk/", views.close, name="close"),
    path("offentlige-henvendelser/<str:code>/registrer/", views.convert, name="convert"),
    path("offentlige-tekster/", views.texts, name="texts"),
    path("offentlige-tekster/<str:key>/<str:language>/", views.text_edit, name="text_edit"),
]
