from django.urls import path

from renkei.accounts import password_reset, token_views, user_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.LoginCodeView.as_view(), name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="language"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", password_reset.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", password_reset.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", password_reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("two-factor/", views.totp_setup, name="totp"),
    path("two-factor/disable/", views.totp_disable, name="totp_disable"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("users/", user_views.UserListView.as_view(), name="user_list"),
    path("users/new/", user_views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", user_views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", user_views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", user_views.UserPasswordView.as_view(), name="user_password"),
    path("users/<int:pk>/deactivate/", user_views.UserDeactivateView.as_view(), name="user_deactivate"),
    path("users/<int:pk>/two-factor/reset/", user_views.UserTotpResetView.as_view(), name="user_totp_reset"),
]
