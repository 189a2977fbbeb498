"""Answering matching and ordering questions on a quiz page in the browser, as a learner does.

With the page's script, matching is tap-to-pair (an item on the left, then its match) and
ordering has move-up and move-down buttons; both write into the drop-down lists that the
page has without the script. ``box`` is the question's fieldset (a Playwright locator).
"""
from __future__ import annotations


def pair(box, left: str, right: str) -> None:
    """Match the item ``left`` with ``right`` by tapping one, then the other."""
    lefts = [text.strip() for text in box.locator(".pair-left-text").all_inner_texts()]
    box.locator(".pair-left").nth(lefts.index(left)).click()
    rights = [text.strip() for text in box.locator(".pair-right").all_inner_texts()]
    box.locator(".pair-right").nth(rights.index(right)).click()


def current_order(box) -> list[str]:
    return [text.strip() for text in box.locator(".order-item .order-text").all_inner_texts()]


def put_in_order(box, wanted: list[str]) -> None:
    """Move the steps with the arrow buttons until they read ``wanted``, top to bottom."""
    for target, text in enumerate(wanted):
        at = current_order(box).index(text)
        for position in range(at, target, -1):
            box.locator(".order-item").nth(position).locator(".order-up").click()
    if box.locator(".order-keep").count():  # already in this order: say so
        box.locator(".order-keep").click()
    assert current_order(box) == wanted, current_order(box)
