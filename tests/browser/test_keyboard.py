"""Keyboard alone: the skip link comes first and moves focus to the content, and Tab reaches
every link and control on the page, each with a visible focus style."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MEASURE_PAGE, PLAN_ID, OpenPage

pytestmark = pytest.mark.browser

# What a keyboard user can reach: links and form controls a person can see (the skip link
# is hidden until it has focus, so it counts too). Each gets a number in data-sp-tab. A
# composite widget's other items (GOV.UK tabs: tabindex -1) are reached with the arrow keys,
# not Tab (test_arrow_keys_move_between_tabs).
MARK_FOCUSABLE = """() => {
  const all = document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, ' +
    'textarea, summary, [tabindex]:not([tabindex="-1"])');
  return [...all]
    .filter(el => el.checkVisibility({visibilityProperty: true}) || el.matches('.govuk-skip-link'))
    .filter(el => el.getAttribute('tabindex') !== '-1')
    .map((el, i) => { el.dataset.spTab = String(i); return style(el); });
  function style(el) {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
            s.color, s.textDecorationLine].join('|');
  }
}"""
FOCUSED = """() => {
  const el = document.activeElement; const s = getComputedStyle(el);
  return {idx: el.dataset.spTab ?? null, tag: el.tagName, text: el.textContent.trim().slice(0, 60),
          style: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
                  s.color, s.textDecorationLine].join('|')};
}"""
TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")

PAGES = [  # (name, path, user to sign in as, or None for the public)
    ("plan", f"/plans/{PLAN_ID}/", None),
    ("dashboard", "/dashboard/", "browser-analyst"),
    ("scorecard", f"/dashboard/plans/{PLAN_ID}/", "browser-analyst"),
    ("measure", MEASURE_PAGE, "browser-analyst"),
]


def shows_focus(focused: str, unfocused: str) -> bool:
    """A focus style a sighted keyboard user can see: it changes the element's look, with an
    outline, a shadow or a background."""
    outline, width, colour, shadow, background = focused.split("|")[:5]
    marked = (
        shadow != "none"
        or background not in TRANSPARENT
        or (outline != "none" and width != "0px" and colour not in TRANSPARENT)
    )
    return marked and focused != unfocused


@pytest.mark.parametrize(("name", "path", "username"), PAGES, ids=[p[0] for p in PAGES])
def test_the_skip_link_comes_first(
    visit: OpenPage, name: str, path: str, username: str | None
) -> None:
    seen = visit("desktop", user=username)
    seen.goto(path)
    page = seen.page
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to main content")
    box = skip.bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10  # shown on focus
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert page.url.endswith("#main-content")
    assert not seen.errors, seen.errors


@pytest.mark.parametrize(("name", "path", "username"), PAGES, ids=[p[0] for p in PAGES])
def test_tab_reaches_everything_with_a_visible_focus(
    visit: OpenPage, name: str, path: str, username: str | None
) -> None:
    seen = visit("desktop", user=username)
    seen.goto(path)
    page = seen.page
    unfocused: list[str] = page.evaluate(MARK_FOCUSABLE)
    assert len(unfocused) > 3
    reached: dict[int, dict[str, Any]] = {}
    for _ in range(len(unfocused) * 2 + 20):
        page.keyboard.press("Tab")
        state: dict[str, Any] = page.evaluate(FOCUSED)
        if state["tag"] == "BODY" or (state["idx"] is not None and int(state["idx"]) in reached):
            break  # past the last element, or round to the first again
        if state["idx"] is not None:
            reached[int(state["idx"])] = state
    missing = sorted(set(range(len(unfocused))) - set(reached))
    assert not missing, f"Tab never reaches elements {missing} on {path}"
    hidden = [s for i, s in reached.items() if not shows_focus(s["style"], unfocused[i])]
    assert not hidden, f"no visible focus style on {path}: {hidden}"
    assert not seen.errors, seen.errors


def test_arrow_keys_move_between_tabs(visit: OpenPage) -> None:
    """The measure page's breakdown tabs: Tab reaches the chosen one, arrows the others."""
    seen = visit("desktop", user="browser-analyst")
    seen.goto(MEASURE_PAGE)
    first = seen.page.get_by_role("tab", name="Age", exact=True)
    first.focus()
    seen.page.keyboard.press("ArrowRight")
    expect(seen.page.get_by_role("tab", name="Gender", exact=True)).to_be_focused()
    expect(seen.page.locator("#by-gender")).to_be_visible()
    expect(seen.page.locator("#by-age_band")).to_be_hidden()
