"""Draw the documentation's two diagrams as SVG files.

Run ``python docs/figures/figures.py`` after changing the data below; it
rewrites ``docs/_static/lifecycle.svg`` and ``docs/_static/contexts.svg``.
The tests in ``docs/tests/test_docs_figures.py`` check that the committed
files match this script's output, and that the order of the request
lifecycle drawn here is the order in which the framework really calls the
hooks, so the pictures cannot drift from the code.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from xml.sax.saxutils import escape

STATIC = Path(__file__).resolve().parent.parent / "_static"


@dataclass
class Step:
    title: str
    detail: str = ""
    #: What the order test records at this step, in order; empty when the
    #: step has no hook or signal to observe.
    events: tuple[str, ...] = ()
    #: Steps where an exception leaves the normal path.
    may_raise: bool = False
    #: Steps whose functions come from the scope's plan.
    planned: bool = False


LIFECYCLE: list[Step] = [
    Step(
        "app(environ, start_response)",
        "the WSGI server calls the app; middleware wraps app.wsgi_app",
    ),
    Step(
        "Create the request context",
        "request_class(environ), and the URL adapter is bound once",
    ),
    Step(
        "Push the application context",
        "signal appcontext_pushed; current_app and g work from here on",
        ("appcontext_pushed",),
    ),
    Step(
        "Push the request context",
        "session_interface.open_session(), then the URL is matched",
        ("open_session",),
    ),
    Step("Signal request_started", "", ("request_started",)),
    Step(
        "url_value_preprocessor functions",
        "the app's first, then each blueprint's, outermost to innermost",
        ("url_value_preprocessor app", "url_value_preprocessor bp"),
        may_raise=True,
        planned=True,
    ),
    Step(
        "before_request functions",
        "same order; a return value other than None replaces the view",
        ("before_request app", "before_request bp"),
        may_raise=True,
        planned=True,
    ),
    Step(
        "The view function",
        "view_functions[request.endpoint](**request.view_args)",
        ("view",),
        may_raise=True,
    ),
    Step(
        "make_response(return value)",
        "str, bytes, dict, list, tuple, iterator, or a Response as it is",
    ),
    Step(
        "after_this_request, then after_request functions",
        "innermost blueprint first, the app last; each in reverse order",
        ("after_this_request", "after_request bp", "after_request app"),
        planned=True,
    ),
    Step(
        "Save the session",
        "session_interface.save_session() sets or deletes the cookie",
        ("save_session",),
    ),
    Step("Signal request_finished", "", ("request_finished",)),
    Step(
        "response(environ, start_response)",
        "status and headers go to the server; it sends the body afterwards",
    ),
    Step(
        "teardown_request functions, then request_tearing_down",
        "always, even after an error; innermost blueprint first, app last",
        ("teardown_request bp", "teardown_request app", "request_tearing_down"),
        planned=True,
    ),
    Step("Pop the request context"),
    Step(
        "teardown_appcontext functions, then appcontext_tearing_down",
        "always; close what g holds, such as database connections",
        ("teardown_appcontext app", "appcontext_tearing_down"),
    ),
    Step(
        "Pop the application context",
        "signal appcontext_popped",
        ("appcontext_popped",),
    ),
]

PLAN_NOTE = [
    "The scope's plan",
    "A request's scope is its blueprint",
    "and their parents. What the marked",
    "steps run (and the error handlers,",
    "context processors, URL defaults)",
    "is resolved once per scope from the",
    "registries, and resolved again when",
    "any registry changes: decorators,",
    "blueprints, or direct list edits.",
]

ERROR_PATH = [
    "An exception in a hook or the view:",
    "1. the errorhandler for its status",
    "   code or class (along the MRO),",
    "   blueprint's before the app's;",
    "2. none: signal got_request_exception,",
    "   then a 500 response, or the error",
    "   is raised again when testing or",
    "   PROPAGATE_EXCEPTIONS is set.",
    "The handler's return value goes on",
    "to make_response.",
]

INK = "#1d2433"
MUTED = "#5b6475"
APP = "#dbe8f5"
APP_EDGE = "#2f5d8a"
REQ = "#f7e6cc"
REQ_EDGE = "#a8661c"
ERR = "#f8e1e1"
PLAN = "#e4f2e4"
PLAN_EDGE = "#2e6b34"
ERR_EDGE = "#a4262c"
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"


@dataclass
class Canvas:
    width: int
    height: int
    title: str
    parts: list[str] = field(default_factory=list)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str,
        stroke: str,
        radius: int = 6,
        dash: bool = False,
    ) -> None:
        extra = " stroke-dasharray='5 4'" if dash else ""
        self.parts.append(
            f"<rect x='{x}' y='{y}' width='{w}' height='{h}' rx='{radius}'"
            f" fill='{fill}' stroke='{stroke}' stroke-width='1.5'{extra}/>"
        )

    def text(
        self,
        x: float,
        y: float,
        content: str,
        size: int = 13,
        weight: str = "normal",
        color: str = INK,
        anchor: str = "start",
        mono: bool = False,
        rotate: bool = False,
    ) -> None:
        family = "font-family='DejaVu Sans Mono, Menlo, monospace'" if mono else FONT
        transform = f" transform='rotate(-90 {x} {y})'" if rotate else ""
        self.parts.append(
            f"<text x='{x}' y='{y}' {family} font-size='{size}'"
            f" font-weight='{weight}' fill='{color}' text-anchor='{anchor}'"
            f" xml:space='preserve'{transform}>{escape(content)}</text>"
        )

    def arrow(self, points: list[tuple[float, float]], color: str = INK) -> None:
        path = " ".join(f"{x},{y}" for x, y in points)
        self.parts.append(
            f"<polyline points='{path}' fill='none' stroke='{color}'"
            f" stroke-width='1.5' marker-end='url(#head-{color[1:]})'/>"
        )

    def render(self) -> str:
        colors = {INK, ERR_EDGE, APP_EDGE, REQ_EDGE, PLAN_EDGE}
        markers = "".join(
            f"<marker id='head-{c[1:]}' viewBox='0 0 10 10' refX='9' refY='5'"
            f" markerWidth='7' markerHeight='7' orient='auto-start-reverse'>"
            f"<path d='M0,0 L10,5 L0,10 z' fill='{c}'/></marker>"
            for c in sorted(colors)
        )
        body = "\n".join(self.parts)
        return (
            "<svg xmlns='http://www.w3.org/2000/svg'"
            f" width='{self.width}' height='{self.height}'"
            f" viewBox='0 0 {self.width} {self.height}' role='img'>\n"
            f"<title>{escape(self.title)}</title>\n"
            f"<defs>{markers}</defs>\n"
            f"<rect width='100%' height='100%' fill='white'/>\n"
            f"{body}\n</svg>\n"
        )


def _note(
    c: Canvas,
    x: float,
    y: float,
    w: float,
    lines: t.Sequence[str],
    fill: str,
    edge: str,
) -> float:
    """Draw a box of lines, the first a bold title in the edge colour;
    return its height.
    """
    h = len(lines) * 16 + 16
    c.rect(x, y, w, h, fill, edge)

    for n, line in enumerate(lines):
        c.text(
            x + 10,
            y + 22 + n * 16,
            line,
            size=11,
            weight="bold" if n == 0 else "normal",
            color=edge if n == 0 else INK,
        )

    return h


def lifecycle_svg() -> str:
    box_x, box_w, box_h, gap, top = 125, 520, 40, 12, 20
    step_y = [top + i * (box_h + gap) for i in range(len(LIFECYCLE))]
    height = step_y[-1] + box_h + 20
    c = Canvas(940, height, "The life of a request: which hooks run, in what order")

    # Context spans on the left: which steps run inside which context.
    app_first, app_last = 2, 16
    req_first, req_last = 3, 14
    c.rect(
        10,
        step_y[app_first],
        38,
        step_y[app_last] + box_h - step_y[app_first],
        APP,
        APP_EDGE,
    )
    c.text(
        34,
        (step_y[app_first] + step_y[app_last] + box_h) / 2,
        "application context: current_app, g",
        size=12,
        color=APP_EDGE,
        anchor="middle",
        rotate=True,
    )
    c.rect(
        56,
        step_y[req_first],
        38,
        step_y[req_last] + box_h - step_y[req_first],
        REQ,
        REQ_EDGE,
    )
    c.text(
        80,
        (step_y[req_first] + step_y[req_last] + box_h) / 2,
        "request context: request, session",
        size=12,
        color=REQ_EDGE,
        anchor="middle",
        rotate=True,
    )

    for i, (step, y) in enumerate(zip(LIFECYCLE, step_y, strict=True)):
        fill, edge = ("#ffffff", INK)

        if step.events and step.events[0].startswith(("teardown", "appcontext_t")):
            fill = "#eef1f4"

        c.rect(box_x, y, box_w, box_h, fill, edge, dash=not step.events)
        c.text(box_x - 6, y + 25, str(i + 1), size=11, color=MUTED, anchor="end")

        if step.detail:
            c.text(box_x + 10, y + 17, step.title, weight="bold")
            c.text(box_x + 10, y + 33, step.detail, size=11, color=MUTED)
        else:
            c.text(box_x + 10, y + 25, step.title, weight="bold")

        if step.planned:
            c.rect(box_x + box_w - 46, y + 10, 38, 20, PLAN, PLAN_EDGE, radius=10)
            c.text(
                box_x + box_w - 27,
                y + 24,
                "plan",
                size=11,
                color=PLAN_EDGE,
                anchor="middle",
            )

        if i + 1 < len(LIFECYCLE):
            cx = box_x + box_w / 2
            c.arrow([(cx, y + box_h), (cx, y + box_h + gap)])

    # The error path beside the steps that may raise.
    raising = [i for i, s in enumerate(LIFECYCLE) if s.may_raise]
    err_x, err_w = 680, 250
    err_y = step_y[raising[0]] - 10
    err_h = _note(c, err_x, err_y, err_w, ERROR_PATH, ERR, ERR_EDGE)

    for i in raising:
        y = step_y[i] + box_h / 2
        c.arrow([(box_x + box_w, y), (err_x, y)], ERR_EDGE)

    make_response = next(
        i for i, s in enumerate(LIFECYCLE) if s.title.startswith("make_response")
    )
    back_y = step_y[make_response] + box_h / 2
    c.arrow(
        [
            (err_x + err_w / 2, err_y + err_h),
            (err_x + err_w / 2, back_y),
            (box_x + box_w, back_y),
        ],
        ERR_EDGE,
    )
    # The plan, above the error path.
    _note(c, err_x, step_y[0], err_w, PLAN_NOTE, PLAN, PLAN_EDGE)

    # Legend.
    legend_y = step_y[-4]
    c.rect(err_x, legend_y, 24, 16, "#ffffff", INK, radius=3, dash=True)
    c.text(err_x + 32, legend_y + 13, "a step with no hook of its own", size=11)
    c.rect(err_x, legend_y + 26, 24, 16, "#ffffff", INK, radius=3)
    c.text(err_x + 32, legend_y + 39, "hooks or signals you can register", size=11)
    c.rect(err_x, legend_y + 52, 24, 16, "#eef1f4", INK, radius=3)
    c.text(err_x + 32, legend_y + 65, "teardown: runs even after an error", size=11)
    c.rect(err_x, legend_y + 78, 24, 16, PLAN, PLAN_EDGE, radius=8)
    c.text(err_x + 32, legend_y + 91, "functions taken from the scope's plan", size=11)
    return c.render()


def contexts_svg() -> str:
    c = Canvas(860, 470, "The application and request contexts")

    # Left: what each context holds and which proxy reads it.
    c.text(20, 28, "What the proxies point to during a request", weight="bold")
    c.rect(150, 45, 300, 190, APP, APP_EDGE)
    c.text(162, 66, "AppContext", weight="bold", color=APP_EDGE)
    c.text(162, 84, "in the ContextVar _cv_app", size=11, color=MUTED, mono=True)
    c.rect(165, 140, 270, 85, REQ, REQ_EDGE)
    c.text(177, 160, "RequestContext", weight="bold", color=REQ_EDGE)
    c.text(177, 176, "in the ContextVar _cv_request", size=11, color=MUTED, mono=True)
    rows = [
        ("current_app", "app", 108, APP_EDGE, 175),
        ("g", "g  (an _AppCtxGlobals)", 128, APP_EDGE, 175),
        ("request", "request", 198, REQ_EDGE, 190),
        ("session", "session", 216, REQ_EDGE, 190),
    ]

    for proxy, target, y, color, x in rows:
        c.text(20, y + 4, proxy, mono=True, color=color)
        c.arrow([(115, y), (x - 6, y)], color)
        c.text(x, y + 4, target, mono=True)

    c.text(20, 262, "Each proxy looks up the current context on every", size=11)
    c.text(20, 278, "access. Outside a context it raises RuntimeError", size=11)
    c.text(20, 294, "with a message that says which context to push.", size=11)

    # Right: the two stacks over time.
    c.text(490, 28, "Over time", weight="bold")
    c.text(490, 56, "during a request", size=12, color=MUTED)
    c.rect(490, 66, 340, 30, APP, APP_EDGE)
    c.text(500, 86, "app context", size=12, color=APP_EDGE)
    c.rect(560, 102, 220, 30, REQ, REQ_EDGE)
    c.text(570, 122, "request context", size=12, color=REQ_EDGE)
    c.text(490, 150, "the request context pushes an app context", size=11)
    c.text(490, 166, "first when none for its app is current", size=11)

    c.text(490, 200, "in flask shell, a CLI command, or", size=12, color=MUTED)
    c.text(490, 216, "with app.app_context():", size=12, color=MUTED, mono=True)
    c.rect(490, 226, 340, 30, APP, APP_EDGE)
    c.text(500, 246, "app context", size=12, color=APP_EDGE)
    c.text(490, 274, "no request: request and session raise", size=11)

    c.text(490, 310, "Nesting", weight="bold")
    c.rect(490, 322, 340, 30, APP, APP_EDGE)
    c.text(500, 342, "app context of app A", size=12, color=APP_EDGE)
    c.rect(560, 358, 220, 30, APP, APP_EDGE)
    c.text(570, 378, "app context of app B", size=12, color=APP_EDGE)
    c.text(490, 406, "push() keeps the ContextVar token and pop() resets", size=11)
    c.text(490, 422, "it, so A is current again; popping a context that", size=11)
    c.text(490, 438, "is not the current one raises RuntimeError.", size=11)
    c.arrow([(490, 456), (830, 456)])
    c.text(836, 460, "time", size=11, color=MUTED)
    return c.render()


FIGURES = {"lifecycle.svg": lifecycle_svg, "contexts.svg": contexts_svg}


def main() -> None:
    for name, draw in FIGURES.items():
        (STATIC / name).write_text(draw(), "utf8")
        print(f"wrote {STATIC / name}")


if __name__ == "__main__":
    main()
