from cleanrecord.testing.oidc import oidc_provider  # noqa: F401  (the fixture, for every test here)
