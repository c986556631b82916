"""``livehost script generate``: introductions (and offer lines) for review, from the catalog.

Writes a drafts CSV (:mod:`app.content.drafts`: product_id, lang, variant, text, the fields
each clause uses, why a draft is held) and, with ``--catalog-out``, a copy of the catalog with
the ``script`` column filled. Nothing is written into the seller's own catalog.

Engines: the built-in generator (always; ``--style`` one of ``fabe``, ``offer-first``,
``benefit-first``, ``evidence-first`` picks the order of the parts), or the language model of
``[llm]`` (``--llm``, any other ``--style`` text, or ``llm.enabled`` with
``llm.write_introductions``; ``--builtin`` forces the built-in one). Model drafts are checked
sentence by sentence (:mod:`app.content.check`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.cli import load_settings_for
from app.errors import LiveHostError
from app.vocab import ErrorCode


def _products(catalog, which: str | None):
    if not which:
        return list(catalog)
    p = catalog.by_listing(int(which)) if which.isdigit() else None
    p = p or catalog.get(which)
    if p is None:
        raise LiveHostError(ErrorCode.SCRIPT_PRODUCT_UNKNOWN,
                            f"No product with listing number or id {which!r} in the catalog.",
                            "Give a listing number (3) or a product_id from the catalog's first column.")
    return [p]


def generate(args) -> int:
    """``livehost script generate``."""
    from app.content.drafts import draft_rows, fill_scripts, write_drafts_csv
    from app.content.generator import IntroGenerator
    from app.content.writer import builtin_plan
    from app.replay import load_catalog_or_fail

    settings = load_settings_for(args)
    catalog, _skipped = load_catalog_or_fail(Path(args.catalog), skip_bad_rows=args.skip_bad_rows)
    lang = args.lang or settings.language
    n = args.variants or settings.content.variants
    plan = builtin_plan(args.style)
    free_style = bool(args.style) and plan is None
    use_llm = not args.builtin and (args.llm or free_style or (settings.llm.enabled and settings.llm.write_introductions))
    if args.builtin and free_style:
        raise LiveHostError(ErrorCode.USAGE, f"The built-in generator has no style {args.style!r}.",
                            "Use --style fabe, offer-first, benefit-first or evidence-first, or leave out "
                            "--builtin to let the language model write in that style.")
    products = _products(catalog, args.product)
    gen = IntroGenerator.from_settings(catalog, settings)
    intros = []
    if use_llm:
        intros = asyncio.run(_llm_drafts(catalog, settings, products, lang, args.style if free_style else "", n,
                                         quiet=args.quiet))
    else:
        for p in products:
            intros += gen.introductions(p, lang, n, plan=plan)
    offers = [o for p in products for o in gen.offer_lines(p, lang)] if args.offers else []
    out = Path(args.out)
    try:
        written = write_drafts_csv(out, draft_rows(catalog, intros, offers))
    except OSError as exc:
        raise LiveHostError(ErrorCode.OUTPUT_UNWRITABLE, f"Cannot write {out}: {exc.strerror or exc}",
                            "Choose another --out file or folder.") from exc
    filled = None
    if args.catalog_out:
        from app.catalog.importer import write_catalog_csv

        copy, filled = fill_scripts(catalog, intros, overwrite=args.overwrite)
        target = Path(args.catalog_out)
        if target.resolve() == Path(args.catalog).resolve():
            raise LiveHostError(ErrorCode.USAGE, "--catalog-out must not be the catalog itself.",
                                "Write the copy to another file, review it, then use it as your catalog.")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_catalog_csv(copy, target)
        except OSError as exc:
            raise LiveHostError(ErrorCode.OUTPUT_UNWRITABLE, f"Cannot write {target}: {exc.strerror or exc}",
                                "Choose another --catalog-out file.") from exc
    if not args.quiet:
        _print_table(catalog, intros, offers)
    held = sum(1 for i in intros if i.held_reason)
    print(f"{len(intros)} introductions ({held} held for review) and {len(offers)} offer lines for "
          f"{len(products)} products -> {out} ({written} rows)"
          + (f"; {filled} scripts filled in {args.catalog_out}" if filled is not None else ""), file=sys.stderr)
    return 0


async def _llm_drafts(catalog, settings, products, lang: str, style: str, n: int, *, quiet: bool):
    from app.content.llm import ChatClient, load_api_key
    from app.content.writer import LlmWriter

    key = None
    if settings.llm.api_key_in_keyring:
        key, notice = await asyncio.to_thread(load_api_key)
        if key is None:
            raise LiveHostError(ErrorCode.LLM_KEY_UNAVAILABLE,
                                "llm.api_key_in_keyring is on, but no API key can be read from the OS keyring"
                                + (f": {notice}" if notice else "."),
                                "Enter the key in Settings -> Language model, or switch api_key_in_keyring off "
                                "for a local server.")
    writer = LlmWriter.from_settings(catalog, settings, client=ChatClient.from_settings(settings.llm, api_key=key))
    if not writer.checker.moderated and not quiet:
        print(f"note: {writer.checker.moderation_notice}; every model draft is held for your review.",
              file=sys.stderr)
    out = []
    try:
        for p in products:
            for k in range(n):
                try:
                    out.append(await writer.introduction(p, lang, style, variant=k))
                except LiveHostError as exc:
                    if exc.code in (ErrorCode.LLM_UNREACHABLE, ErrorCode.LLM_HTTP_ERROR, ErrorCode.LLM_BAD_RESPONSE):
                        raise
                    print(f"{p.product_id} variant {k}: {exc.message}", file=sys.stderr)
    finally:
        await writer.client.aclose()
    return out


def _print_table(catalog, intros, offers) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=False, title="drafts")
    for col in ("product", "lang", "var", "source", "s", "text", "held"):
        table.add_column(col, overflow="fold")
    for i in intros:
        p = catalog.get(i.product_id)
        name = f"{p.listing_number}号 {p.short_name or p.title}" if p and p.listing_number is not None else i.product_id
        table.add_row(escape(name), i.lang, str(i.variant), i.source, f"{i.seconds:.0f}",
                      escape(i.text if len(i.text) <= 90 else i.text[:88] + "…"), escape(i.held_reason[:60]))
    for o in offers:
        table.add_row(escape(o.product_id), o.lang, "", o.kind, "", escape(o.text), "")
    Console(highlight=False).print(table)
