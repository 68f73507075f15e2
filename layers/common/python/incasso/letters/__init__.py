"""Letters and messages: templates (NL, EN), PDFs, the record of what went out, the bailiff's dossier.

Import from the submodules (``incasso.letters.render``, ``.messages``, ``.dossier``); this package
imports nothing heavy itself, so a Lambda that never writes a letter does not pay for Jinja or fpdf2.
"""
