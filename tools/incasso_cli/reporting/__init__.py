"""The tenant report: an HTML page with charts and a CSV of the claims (``incasso report``, ``incasso demo``).

``portfolio`` computes the figures from the API's claims and summary; ``charts`` draws inline SVG;
``html`` lays out the page; ``csv_export`` writes the spreadsheet-safe CSV; ``client`` reads the API,
over HTTP or through the API Lambda in this process.
"""
