"""A reference is never broken across lines: on a phone (375 px) and at 200 % zoom (640 CSS
px) "EX-2026-00001" stays whole and does not become "EX-2026-" over "00001".

Browsers may break a word after a hyphen, and a narrow table column does so. app.css's
``.vejud-ref`` (``white-space: nowrap``) keeps a reference on one line in the caseload, the
task list, the person page's cases, the case page (heading, other attempts) and a case's
grants (heading, applications table). The text is left as it is (plain hyphens), so copying
and searching still find it. The check finds every reference in the page's text (not only
those with the class) and counts the lines its letters are laid out on.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from vejud_browser import Session

from vejud.testing import World, make_case, make_ended_case, make_person
from vejud.testing.pool import make_application, make_pool, make_pool_case

pytestmark = pytest.mark.browser

# Each case or application reference in <main>'s text, with the number of lines it takes.
REFERENCE_LINES = r"""() => {
  const pattern = /\b(?:EX-\d{4}-\d{5}|PUL-\d{5})\b/g;
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
      if (boxes.length === 0) continue;  // not rendered (a caption for screen readers)
      found.push([match[0], new Set(boxes.map((box) => Math.round(box.top))).size]);
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [375, 640])
def test_references_are_never_broken_across_lines(
    bworld: World, open_browser: Callable[..., Session], width: int
) -> None:
    person = make_person(bworld.member_a, first_name="Linje", last_name="Brud")
    earlier = make_ended_case(bworld.member_a, bworld.unit_a, person=person)
    case = make_case(bworld.member_a, bworld.unit_a, person=person)
    for n in range(2):  # more rows in the caseload and more tasks (each inquiry's deadline)
        make_case(bworld.member_a, bworld.unit_a, first_name=f"Række{n}", last_name="Tabel")
    make_pool(bworld)
    pool_case = make_pool_case(bworld, first_name="Pulje", last_name="Ansøger")
    application = make_application(bworld, pool_case)
    pages = {
        "/sager/": {earlier.reference, case.reference, pool_case.reference},
        "/opgaver/": {case.reference},
        f"/personer/{person.public_id}/": {earlier.reference, case.reference},
        case.get_absolute_url(): {earlier.reference, case.reference},
        f"{pool_case.get_absolute_url()}puljen/": {pool_case.reference, application.reference},
    }
    session = open_browser(bworld.member_a, language="da")
    page = session.page
    page.set_viewport_size({"width": width, "height": 900})
    broken: list[str] = []
    for path, expected in pages.items():
        response = page.goto(session.url(path))
        assert response is not None and response.status == 200, path
        found = page.evaluate(REFERENCE_LINES)
        assert expected <= {reference for reference, _ in found}, (path, found)
        broken += [f"{path}: {ref} on {lines} lines" for ref, lines in found if lines != 1]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    assert not broken, "\n".join(broken)
