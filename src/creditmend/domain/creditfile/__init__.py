"""The credit file: furnished account months, checked, and the repayment grid derived from them."""
