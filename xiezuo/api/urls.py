from django.urls import path

from xiezuo.api import views
from xiezuo.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("account/tokens/", views.tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke_page, name="api_token_revoke"),
]
