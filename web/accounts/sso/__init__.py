"""Single sign-on with OpenID Connect (any issuer; Google and Microsoft as presets) and GitHub,
through django-allauth's socialaccount: `oidc` holds the checks on the provider's answer,
`adapter` decides who gets in, `identities` links and unlinks, `urls` routes the provider
pages under /accounts/sso/ (none of allauth's own account pages)."""
