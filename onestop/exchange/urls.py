from django.urls import path

from onestop.exchange import views

app_name = "exchange"

urlpatterns = [
    path("verify/", views.verify_view, name="verify"),
    path("me/proof-of-insurance.pdf", views.proof_pdf_view, name="my_proof"),
    path(
        "staff/persons/<int:person_id>/proof-of-insurance.pdf", views.proof_pdf_view, name="proof"
    ),
]
