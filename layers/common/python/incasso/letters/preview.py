"""A letter as an HTML page, for the tenant's preview (``GET /v1/claims/{id}/preview/{kind}`` with
``Accept: text/html``). The template ends in ``.html``, so the shared Jinja environment escapes every value:
a debtor's name or an invoice number typed with markup is shown as text, never run."""

from __future__ import annotations

from incasso.letters.render import LetterContext, RenderedMessage, template_environment

PREVIEW_TEMPLATE = "preview.html"


def render_html(rendered: RenderedMessage, ctx: LetterContext) -> str:
    template = template_environment().get_template(PREVIEW_TEMPLATE)
    return template.render(rendered=rendered, creditor=ctx.creditor, language=ctx.language.value)
