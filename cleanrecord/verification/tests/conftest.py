# One issued report per test module, for the file-check tests in every module here.
from .test_file_check import issued, pdf, report  # noqa: F401
