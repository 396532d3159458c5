from django.urls import path

from onestop.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/mfa/", views.mfa_view, name="mfa"),
    path("login/mfa/enrol/", views.mfa_enrol_view, name="mfa_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("staff/persons/", views.person_list_view, name="person_list"),
    path("staff/persons/<int:person_id>/", views.person_detail_view, name="person_detail"),
    path("staff/persons/<int:person_id>/reveal/", views.person_reveal_view, name="person_reveal"),
    path("security/staff/", views.staff_list_view, name="staff_list"),
    path("security/staff/<int:user_id>/change/", views.staff_change_view, name="staff_change"),
    path(
        "security/staff/<int:user_id>/<slug:action>/", views.staff_action_view, name="staff_action"
    ),
    path("employer/<int:employer_id>/users/", views.employer_users_view, name="employer_users"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", views.token_list_view, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
