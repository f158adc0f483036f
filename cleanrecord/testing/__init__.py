"""Support for the test suites: shared by tests of several apps, never imported by the application."""
