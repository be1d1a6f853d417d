#pragma once

#include <QScrollArea>

class QWidget;

namespace azid::ui {

// A scroll area that asks for the whole size of its contents, so that a window shows them unscrolled
// when the screen has room, and scrolls them when fitOnScreen() had to make the window smaller.
class FittingScrollArea : public QScrollArea
{
    Q_OBJECT
public:
    explicit FittingScrollArea(QWidget *contents, QWidget *parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
};

// Makes the top-level `window` as large as it asks to be, but no larger than the available area of its
// screen, frame included; a shown window is also moved inside that area. Call it before the window is
// shown and when its contents change.
void fitOnScreen(QWidget *window);

} // namespace azid::ui
