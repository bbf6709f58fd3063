"""The contract between the report notebook and the runner: the headline output.

The report notebook's last cell displays one output of mimetype :data:`HEADLINE_MIMETYPE`
whose value is a dict with the keys :data:`HEADLINE_KEYS`
(:func:`socvit.report.publish_headline`); the runner takes it out of the executed notebook
for the index page and the manifest. Kept in a module of its own, without imports, so the
runner reads it without loading pandas and matplotlib.
"""

__all__ = ["HEADLINE_MIMETYPE", "HEADLINE_KEYS"]

#: mimetype of the headline output the batch runner reads from an executed report
HEADLINE_MIMETYPE = "application/vnd.socvit.headline+json"

#: the keys of the headline dict: pct_actief is the share of the codebook's activity outcome,
#: rapportcijfer the mean of its mark, and the last four the 0-10 scores of the scales the
#: codebook names for the four parts of organisatiekracht (``roles.organisatiekracht``)
HEADLINE_KEYS = ("gemeente", "naam", "golf", "n", "pct_actief", "rapportcijfer",
                 "betrokkenheid", "overtuigingen", "bereidheid", "capaciteit")
