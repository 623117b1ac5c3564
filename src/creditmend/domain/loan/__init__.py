"""The loan ledger: a contract plus a time-ordered list of events; state is a fold over them."""
