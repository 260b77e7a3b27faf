"""`python -m netsocket_harness.vboard HOME`: run one supervisor (used by `vboard start`)."""

from .supervisor import main

main()
