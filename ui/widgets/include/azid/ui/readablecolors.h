#pragma once

#include <QColor>
#include <QPalette>

class QLabel;

// Colours taken from the palette, so that light and dark themes both read: no fixed colours.
namespace azid::ui {

// The WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white).
double contrastRatio(const QColor &a, const QColor &b);
// A red for problems (validation text) with a contrast of at least 4.5:1 to the palette's window.
QColor problemTextColor(const QPalette &palette);
// The label shows problems: in problemTextColor() of its palette, now and after every palette change.
void showAsProblem(QLabel *label);
// The application's style with check boxes and radio buttons that stay visible on dark palettes (an
// outline of at least 3:1 to the window); the application owns it.
void installReadableStyle();

} // namespace azid::ui
