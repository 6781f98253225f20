"""The page checks must catch what they claim to catch, or the page tests prove nothing."""

from .pagecheck import accessibility_problems

GOOD = """<!doctype html><html lang="nn"><head><title>Logg inn - Asker</title></head><body><main id="main">
<h1>Logg inn</h1><form><label for="e">E-post</label><input id="e" name="e" aria-describedby="e_hint">
<p id="e_hint">Hint</p><label><input type="checkbox" name="c"> Hugs meg</label>
<input type="hidden" name="next"><button type="submit">Logg inn</button></form></main></body></html>"""


def test_a_sound_page_has_no_problems():
    assert accessibility_problems(GOOD) == []


def test_each_problem_is_found():
    cases = {
        'lang="nn"': ("", "no lang"),
        "<title>Logg inn - Asker</title>": ("<title></title>", "no <title>"),
        "<h1>Logg inn</h1>": ("<h1>Logg inn</h1><h1>Igjen</h1>", "2 <h1>"),
        '<label for="e">E-post</label>': ("<span>E-post</span>", "no label for <input name='e'>"),
        '<p id="e_hint">Hint</p>': ("<p>Hint</p>", "aria-describedby points to missing #e_hint"),
        "<main id": ('<main style="color:red" id', "style attribute"),
        "</main>": ("</main><script>alert(1)</script>", "inline <script>"),
        "<button": ('<button onclick="x()"', "inline event handler"),
        "<form>": ('<form><a href="#nowhere">x</a>', "link to missing #nowhere"),
    }
    for needle, (replacement, expected) in cases.items():
        assert needle in GOOD
        problems = accessibility_problems(GOOD.replace(needle, replacement, 1))
        assert any(expected in problem for problem in problems), (expected, problems)
