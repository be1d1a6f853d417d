#include "azid/ui/screenfit.h"

#include <QGuiApplication>
#include <QScreen>
#include <QScrollBar>
#include <QStyle>
#include <QWidget>

namespace azid::ui {

FittingScrollArea::FittingScrollArea(QWidget *contents, QWidget *parent) : QScrollArea(parent)
{
    setWidget(contents);
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFocusPolicy(Qt::NoFocus);
}

QSize FittingScrollArea::sizeHint() const
{
    const QSize contents = widget() ? widget()->sizeHint() : QSize();
    const int margins = 2 * frameWidth();
    return {contents.width() + margins + verticalScrollBar()->sizeHint().width(),
            contents.height() + margins};
}

QSize FittingScrollArea::minimumSizeHint() const
{
    const QSize contents = widget() ? widget()->minimumSizeHint() : QSize();
    const int scrollBar = verticalScrollBar()->sizeHint().width();
    return {contents.width() + 2 * frameWidth() + scrollBar, 4 * fontMetrics().height()};
}

void fitOnScreen(QWidget *window)
{
    QScreen *screen = window->screen() ? window->screen() : QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    // The frame is known once the window was shown; before, reserve a title bar's height.
    const QRect frame = window->frameGeometry();
    const QRect inner = window->geometry();
    const bool framed = window->isVisible() && frame != inner;
    const int frameWidth = framed ? frame.width() - inner.width() : 0;
    const int frameHeight = framed ? frame.height() - inner.height()
                                   : window->style()->pixelMetric(QStyle::PM_TitleBarHeight, nullptr, window);
    const QSize room(available.width() - frameWidth, available.height() - frameHeight);
    QSize size = window->sizeHint().expandedTo(window->minimumSize());
    size = size.boundedTo(room).expandedTo(window->minimumSizeHint().boundedTo(room));
    window->resize(size);
    if (!window->isVisible())
        return; // a dialog is placed when shown, inside the available area
    QPoint topLeft = frame.topLeft();
    topLeft.setX(qBound(available.left(), topLeft.x(), available.right() - size.width() - frameWidth + 1));
    topLeft.setY(qBound(available.top(), topLeft.y(), available.bottom() - size.height() - frameHeight + 1));
    if (topLeft != frame.topLeft())
        window->move(topLeft);
}

} // namespace azid::ui
