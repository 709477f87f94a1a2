"""axe-core in the page: the pinned copy that the axe-playwright-python package ships."""
from __future__ import annotations

from pathlib import Path

# The WCAG 2.0 and 2.1 rules at levels A and AA (2.2's few additions are not asked for yet).
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules for faults residents met that WCAG's tags leave out: two menus a screen reader
# cannot tell apart, a photo announced with the name that follows it, an id given twice.
ALSO = ["landmark-unique", "image-redundant-alt", "duplicate-id"]


def axe_js() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def violations(page, tags=WCAG_A_AA, also=ALSO) -> list[dict]:
    """What axe-core finds on the page as it stands, by the rules of `tags` plus the rules in `also`."""
    page.add_script_tag(path=str(axe_js()))
    return page.evaluate(
        """([tags, also]) => {
             const rules = axe.getRules(tags).map(rule => rule.ruleId).concat(also);
             return axe.run(document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']})
                       .then(result => result.violations);
           }""", [tags, also])


def describe(found: list[dict]) -> str:
    """One line per rule and the elements it caught, readable in a failing test's output."""
    lines = []
    for v in found:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"      {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)
