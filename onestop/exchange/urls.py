from django.urls import path

from onestop.exchange import views

app_name = "exchange"

urlpatterns = [
    path("verify/", views.verify_view, name="verify"),
    path("me/proof-of-insurance.pdf", views.proof_pdf_view, name="my_proof"),
    path("me/data-use/", views.data_use_view, name="data_use"),
    path("me/consents/", views.consents_view, name="consents"),
    path("me/consents/<int:consent_id>/revoke/", views.consent_revoke_view, name="consent_revoke"),
    path("me/licences/", views.licences_view, name="licences"),
    path(
        "staff/persons/<int:person_id>/certificates/",
        views.person_certificates_view,
        name="person_certificates",
    ),
    path(
        "staff/certificates/<str:number>/revoke/",
        views.certificate_revoke_view,
        name="certificate_revoke",
    ),
    path(
        "staff/persons/<int:person_id>/proof-of-insurance.pdf", views.proof_pdf_view, name="proof"
    ),
]
