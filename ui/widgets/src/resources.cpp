#include "resources.h"

#include <QApplication>
#include <QFontMetrics>
#include <QGridLayout>
#include <QMessageBox>
#include <QScreen>
#include <QSpacerItem>

// Q_INIT_RESOURCE must be used outside of any namespace.
static void initAzidResources()
{
    Q_INIT_RESOURCE(azid);
}

namespace azid::ui {

namespace {

QString bundledActionIconPath(const QString &name)
{
    return QStringLiteral(":/azid/icons/actions/%1.svg").arg(name);
}

} // namespace

void initResources()
{
    static const bool done = [] {
        initAzidResources();
        return true;
    }();
    Q_UNUSED(done);
}

QIcon actionIcon(const QString &name)
{
    initResources();
    return QIcon::fromTheme(name, QIcon(bundledActionIconPath(name)));
}

void keepTitleWhole(QMessageBox *box)
{
    auto *grid = qobject_cast<QGridLayout *>(box->layout());
    if (!grid)
        return;
    // The title bar's font is the window manager's; the application font, a little larger, plus room
    // for its icon and buttons, is a safe guess.
    QFont titleFont = QApplication::font("QMdiSubWindowTitleBar");
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    constexpr int TitleBarButtons = 160;
    int width = QFontMetrics(titleFont).horizontalAdvance(box->windowTitle()) + TitleBarButtons;
    if (const QScreen *screen = box->screen())
        width = std::min(width, screen->availableGeometry().width() * 9 / 10);
    grid->addItem(new QSpacerItem(width, 0, QSizePolicy::Minimum, QSizePolicy::Expanding), grid->rowCount(),
                  0, 1, grid->columnCount());
}

} // namespace azid::ui
