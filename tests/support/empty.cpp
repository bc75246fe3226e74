// Keeps crawler_test_support non-empty before any support source exists.
