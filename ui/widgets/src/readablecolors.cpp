#include "azid/ui/readablecolors.h"

#include <QApplication>
#include <QEvent>
#include <QLabel>
#include <QPainter>
#include <QProxyStyle>
#include <QStyleFactory>
#include <QStyleOption>

#include <cmath>

namespace azid::ui {

namespace {

double channel(double value)
{
    return value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
}

double luminance(const QColor &color)
{
    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) +
           0.0722 * channel(color.blueF());
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

// The colour between `from` (0) and `to` (1) nearest to `from` with at least `ratio` of contrast
// to `background`; `to` itself when none has.
QColor firstWithContrast(const QColor &from, const QColor &to, const QColor &background, double ratio)
{
    for (int step = 0; step <= 20; ++step) {
        const double t = step / 20.0;
        const QColor mixed = QColor::fromRgbF(float(from.redF() + (to.redF() - from.redF()) * t),
                                              float(from.greenF() + (to.greenF() - from.greenF()) * t),
                                              float(from.blueF() + (to.blueF() - from.blueF()) * t));
        if (contrastRatio(mixed, background) >= ratio)
            return mixed;
    }
    return to;
}

class ProblemColorKeeper : public QObject
{
public:
    using QObject::QObject;

    static void apply(QLabel *label)
    {
        const QColor color = problemTextColor(label->palette());
        if (label->palette().color(QPalette::WindowText) == color)
            return;
        QPalette palette = label->palette();
        palette.setColor(QPalette::WindowText, color);
        label->setPalette(palette);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::PaletteChange)
            apply(static_cast<QLabel *>(watched));
        return false;
    }
};

class ReadableStyle : public QProxyStyle
{
public:
    using QProxyStyle::QProxyStyle;

    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
                       const QWidget *widget) const override
    {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        const bool indicator = element == PE_IndicatorCheckBox || element == PE_IndicatorRadioButton;
        if (!indicator || !isDark(option->palette))
            return;
        const QColor window = option->palette.color(QPalette::Window);
        const QColor outline =
            firstWithContrast(window, option->palette.color(QPalette::WindowText), window, 3.0);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(outline, 1.0));
        painter->setBrush(Qt::NoBrush);
        const QRectF box = QRectF(option->rect).adjusted(0.5, 0.5, -0.5, -0.5);
        if (element == PE_IndicatorRadioButton)
            painter->drawEllipse(box);
        else
            painter->drawRoundedRect(box, 1.5, 1.5);
        painter->restore();
    }
};

} // namespace

double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

QColor problemTextColor(const QPalette &palette)
{
    const QColor background = palette.color(QPalette::Window);
    // A red of the palette's own brightness first, then towards the text colour until it reads.
    const QColor red = isDark(palette) ? QColor(255, 128, 120) : QColor(164, 38, 44);
    return firstWithContrast(red, palette.color(QPalette::WindowText), background, 4.5);
}

void showAsProblem(QLabel *label)
{
    ProblemColorKeeper::apply(label);
    label->installEventFilter(new ProblemColorKeeper(label));
}

void installReadableStyle()
{
    QApplication::setStyle(new ReadableStyle(QStyleFactory::create(QApplication::style()->name())));
}

} // namespace azid::ui
