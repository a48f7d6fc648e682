"""What keeps every control whole and reachable when the screen is small for the text
(WCAG 1.4.4, 1.4.10, 2.4.11): QT_SCALE_FACTOR=2 together with 200 % text leaves a
1280×800 laptop 640×400 logical pixels for text four times its usual size.

- :class:`FlowLayout` lays its widgets out in a row and wraps them onto further rows
  when the row is too narrow (the status bar); a trailing group keeps to the right;
- :class:`ScrollPage` is a screen's body in a scroll area that follows the focus, so a
  control reached by Tab or by its mnemonic is scrolled into view;
- :class:`WrappingList` is a list whose items wrap at word boundaries and which is never
  narrower than its longest word, so no item has to be scrolled sideways to be read;
- :func:`fit_to_screen` gives a dialog the room its wrapped text needs, up to the whole
  screen (Qt's first size for a window is at most two thirds of the screen and ignores
  how tall wrapped text gets).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QLayout, QLayoutItem, QListView, QScrollArea, QStyle, QWidget

GAP = 6
ONE_ROW = 4096            # wide enough for any row of a status bar


class FlowLayout(QLayout):
    """Widgets left to right, wrapping onto new rows; those added with ``right=True`` keep
    together at the right end of the last row when they fit there. Each row is as tall as
    its tallest item (a word-wrapped label is as tall as its width needs); items centre in it."""

    def __init__(self, parent: QWidget | None = None, gap: int = GAP, row_gap: int = GAP) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._right_from: int | None = None
        self._gap = gap                  # between items on a row
        self._row_gap = row_gap          # between rows
        # Each item's size on a row so wide, until the layout is invalidated (a child's text,
        # font or visibility changed): Qt asks heightForWidth and sizeHint several times per
        # layout pass, and each answer searched ~12 widths per wrapped label (a status bar
        # change cost 17-50 ms of the UI thread; docs/performance.md, "UI thread during sync").
        self._sized: dict[tuple[int, int], tuple[QSize, int]] = {}   # and its height on that row

    def add(self, widget: QWidget, *, right: bool = False) -> None:
        if right and self._right_from is None:
            self._right_from = len(self._items)
        self.addWidget(widget)

    # ---- QLayout ---------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._sized.clear()
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        if self._right_from is not None and index < self._right_from:
            self._right_from -= 1
        self._sized.clear()
        return self._items.pop(index)

    def invalidate(self) -> None:
        self._sized.clear()
        super().invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        shown = self._shown()
        margins = self.contentsMargins()
        sizes = [self._sized_on(item, ONE_ROW) for item, _group in shown]
        width = sum(size.width() for size in sizes) + self._gap * max(0, len(shown) - 1)
        height = max((size.height() for size in sizes), default=0)
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """As narrow as the widest single item allows (a wrapped label: its longest word)."""
        size = QSize(0, 0)
        for item, _group in self._shown():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # ---- arranging -------------------------------------------------------------------------
    def _shown(self) -> list[tuple[QLayoutItem, bool]]:
        right = len(self._items) if self._right_from is None else self._right_from
        return [(item, index >= right) for index, item in enumerate(self._items) if not item.isEmpty()]

    def _sized_on(self, item: QLayoutItem, room: int) -> QSize:
        key = (id(item), room)          # the item is held in self._items while it is remembered
        known = self._sized.get(key)
        if known is not None:
            return known[0]
        if not item.hasHeightForWidth():
            size = self._size(item, room, 0)
            self._sized[key] = (size, 0)
            return size
        fewest = item.heightForWidth(room)
        for (other, _room), (size, lines) in self._sized.items():
            # Searched already on another row: the narrowest width needing no more height than
            # ``lines`` is the same on any row at least that wide needing that same height.
            if other == key[0] and lines == fewest and size.width() <= room:
                break
        else:
            size = self._size(item, room, fewest)
        self._sized[key] = (size, fewest)
        return size

    @staticmethod
    def _size(item: QLayoutItem, room: int, fewest: int) -> QSize:
        """An item's size on a row ``room`` wide. A word-wrapped label takes the narrowest
        width that needs no more lines than the whole row would (its height ``fewest`` there;
        Qt's own hint for such a label is a narrow block of several lines, even when one
        line has room)."""
        least = min(item.minimumSize().width(), room)
        if not item.hasHeightForWidth():
            return QSize(max(min(item.sizeHint().width(), room), least), item.sizeHint().height())
        low, high = least, room
        while low < high:
            middle = (low + high) // 2
            if item.heightForWidth(middle) <= fewest:
                high = middle
            else:
                low = middle + 1
        return QSize(low, max(item.heightForWidth(low), item.minimumSize().height()))

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        room = max(1, area.width())
        shown = self._shown()
        sizes = [self._sized_on(item, room) for item, _group in shown]
        right_width = sum(size.width() for (_item, group), size in zip(shown, sizes, strict=True) if group)
        right_count = sum(1 for _item, group in shown if group)
        right_width += self._gap * max(0, right_count - 1)
        rows: list[list[tuple[QLayoutItem, QSize, int]]] = [[]]
        x = 0
        in_right = False
        for (item, group), size in zip(shown, sizes, strict=True):
            if group and not in_right and right_width <= room:     # the right group, kept together
                in_right = True
                if rows[-1] and x + right_width > room:
                    rows.append([])
                x = room - right_width
            elif rows[-1] and x + size.width() > room:
                rows.append([])
                x = 0
            rows[-1].append((item, size, x))
            x += size.width() + self._gap
        y = 0
        for row in rows:
            if not row:
                continue
            height = max(size.height() for _item, size, _x in row)
            if place:
                for item, size, left in row:
                    top = y + (height - size.height()) // 2
                    item.setGeometry(QRect(QPoint(area.x() + left, area.y() + top), size))
            y += height + self._row_gap
        used = max(0, y - self._row_gap)
        return used + margins.top() + margins.bottom()


class ScrollPage(QScrollArea):
    """A screen's body that scrolls, and scrolls the focused control into view."""

    def __init__(self, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setWidget(body)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        body = self.widget()
        if new is not None and body is not None and body.isAncestorOf(new):
            self.ensureWidgetVisible(new)


class WrappingList(QListView):
    """A list of wrapped items, at least as wide as its longest word (plus frame, margins and
    vertical scroll bar): narrower, an item is as wide as that word and the list scrolls
    sideways (WCAG 1.4.10). Its layout re-reads the width when the items' texts change
    (and, as for any widget, when its font does)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)      # items re-wrap as the list narrows
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            for signal in (model.dataChanged, model.rowsInserted, model.rowsRemoved, model.modelReset):
                signal.connect(self.updateGeometry)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        model = self.model()
        if model is None:
            return hint
        metrics = self.fontMetrics()
        words = [word for row in range(model.rowCount())
                 for word in str(model.index(row, 0).data() or "").split()]
        longest = max((metrics.horizontalAdvance(word) for word in words), default=0)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        chrome = 2 * self.frameWidth() + 4 * margin + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), longest + chrome), hint.height())


def fit_to_screen(window: QWidget) -> None:
    """Give a window (a dialog, before it shows) the height its wrapped text needs at its
    width, widening it first when that height is more than the screen has; never more than
    the screen's available size."""
    screen = window.screen()
    if screen is None:
        return
    room = screen.availableGeometry().size()
    layout = window.layout()

    def height_for(width: int) -> int:
        if layout is not None and layout.hasHeightForWidth():
            return max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height())
        return window.sizeHint().height()

    width = min(room.width(), max(window.width(), window.sizeHint().width()))
    height = height_for(width)
    while height > room.height() and width < room.width():
        width = min(room.width(), width + max(40, width // 4))
        height = height_for(width)
    window.resize(min(room.width(), max(window.width(), width)),
                  min(room.height(), max(window.height(), height)))
