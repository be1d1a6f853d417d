#include "azid/ui/errorpanel.h"

#include "azid/model/errortext.h"
#include "azid/ui/copybutton.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace azid::ui {

ErrorPanel::ErrorPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("errorPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *statement = new QHBoxLayout;
    auto *icon = new QLabel(this);
    const int iconSize = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(iconSize));
    statement->addWidget(icon, 0, Qt::AlignTop);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("errorSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_summary->setAccessibleName(tr("Error"));
    statement->addWidget(m_summary, 1);
    layout->addLayout(statement);

    auto *buttons = new QHBoxLayout;
    m_toggle = new QToolButton(this);
    m_toggle->setObjectName(QStringLiteral("detailsToggle"));
    m_toggle->setText(tr("Details"));
    m_toggle->setCheckable(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle->setArrowType(Qt::RightArrow);
    m_toggle->setAutoRaise(true);
    m_toggle->setFocusPolicy(Qt::StrongFocus);
    m_toggle->setToolTip(tr("Show the codes and ids a support request needs"));
    buttons->addWidget(m_toggle);
    m_copy = new CopyButton(
        tr("Copy details"), [this]() { return details(); }, this);
    m_copy->setObjectName(QStringLiteral("copyDetailsButton"));
    m_copy->setToolTip(tr("Copy the details for a support request; they hold no token or password"));
    buttons->addWidget(m_copy);
    buttons->addStretch();
    layout->addLayout(buttons);

    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("errorDetails"));
    m_details->setReadOnly(true);
    m_details->setTabChangesFocus(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setAccessibleName(tr("Error details"));
    m_details->hide();
    layout->addWidget(m_details, 1);

    connect(m_toggle, &QToolButton::toggled, this, &ErrorPanel::setDetailsShown);
}

void ErrorPanel::setError(const AuthError &error)
{
    setError(model::errorSummary(error), model::errorDetails(error));
}

void ErrorPanel::setError(const QString &summary, const QString &details)
{
    m_summary->setText(summary);
    m_details->setPlainText(details);
    m_toggle->setVisible(!details.isEmpty());
    m_copy->setVisible(!details.isEmpty());
    setDetailsShown(false);
}

QString ErrorPanel::summary() const
{
    return m_summary->text();
}

QString ErrorPanel::details() const
{
    return m_details->toPlainText();
}

bool ErrorPanel::detailsShown() const
{
    return m_toggle->isChecked();
}

void ErrorPanel::setDetailsShown(bool shown)
{
    m_toggle->setChecked(shown);
    m_toggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
    m_details->setVisible(shown);
}

} // namespace azid::ui
