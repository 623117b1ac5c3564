"""The online-loan big-data report (DESIGN.md, "The online-loan big-data report").

One pipeline, read top to bottom:

1. `file.CreditFileFacts`: what the store knows about one person (accounts with every furnished
   month, inquiries, public records, blacklist entries, negative facts, objections).
2. `file.visible_file`: what may be shown on the as-of day: retention and dated policies decided
   for that day, hidden overdue months read as normal, each month given its grid code.
3. `indicators.person_indicators`: every indicator, each defined once, as one flat row (the
   same row the batch writes for every person; a conformance test holds the two together).
4. `build.build_report`: the 11 sections, as frozen dataclasses (`model`).
5. `json_form.report_json`: the published JSON form (schema in `creditmend/schemas`).
"""
