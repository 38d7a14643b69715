"""Keys every screen's footer shows first.

At 80 columns the footer has room for a handful of keys, and the footer lists the screen's keys
before the app's: Quit and Help would be the ones cut. So each screen lists them first; they
stay the app's keys (the app's priority `ctrl+q` takes this one's place in the footer), and
help and the palette list them once, under "Everywhere".
"""

from textual.binding import Binding

FOOTER_FIRST = [
    Binding("ctrl+q", "app.quit", "Quit"),
    Binding("question_mark", "app.help", "Help"),
]
