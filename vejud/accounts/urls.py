from django.urls import path

from vejud.accounts import sso_views, views

app_name = "accounts"
urlpatterns = [
    path("log-ind/", views.login, name="login"),
    path("log-ud/", views.logout, name="logout"),
    path("sso/<slug:name>/", sso_views.sso_start, name="sso_start"),
    path("sso/<slug:name>/retur/", sso_views.sso_callback, name="sso_callback"),
    path(
        "sso/<slug:name>/log-ud/", sso_views.sso_backchannel_logout, name="sso_backchannel_logout"
    ),
    path("invitation/<str:token>/", sso_views.invitation, name="invitation"),
    path("to-faktor/", views.otp_verify, name="otp_verify"),
    path("to-faktor/opsaet/", views.otp_setup, name="otp_setup"),
    path("to-faktor/gendannelseskoder/", views.recovery_codes, name="recovery_codes"),
    path("bekraeft/", views.reauth, name="reauth"),
    path("profil/", views.profile, name="profile"),
    path("profil/sprog/", views.language, name="language"),
    path("sessioner/", views.sessions, name="sessions"),
    path("sessioner/afslut-andre/", views.sessions_end_others, name="sessions_end_others"),
    path("sessioner/<int:pk>/afslut/", views.session_end, name="session_end"),
    path("rolletildelinger/", views.role_grants, name="role_grants"),
    path("rolletildelinger/<int:grant_id>/", views.role_grant_decide, name="role_grant_decide"),
    path("api-noegler/", views.tokens, name="tokens"),
    path("api-noegler/ny/", views.token_new, name="token_new"),
    path("api-noegler/<int:pk>/tilbagekald/", views.token_revoke_view, name="token_revoke"),
]
