"""The capstone review: checks that read the repository for evidence of each expectation."""
