from tests.payments.conftest import company_user  # noqa: F401  (shared fixture)
