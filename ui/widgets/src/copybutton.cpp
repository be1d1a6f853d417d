#include "azid/ui/copybutton.h"

#include <QApplication>
#include <QClipboard>

namespace azid::ui {

CopyButton::CopyButton(const QString &label, std::function<QString()> text, QWidget *parent)
    : QPushButton(label, parent), m_label(label), m_text(std::move(text))
{
    // As wide as the wider of its two texts.
    setText(tr("Copied"));
    const int copiedWidth = sizeHint().width();
    setText(label);
    setMinimumWidth(qMax(copiedWidth, sizeHint().width()));
    m_reset.setSingleShot(true);
    m_reset.setInterval(2000);
    connect(&m_reset, &QTimer::timeout, this, [this]() {
        setText(m_label);
        setAccessibleDescription(QString());
    });
    connect(this, &QPushButton::clicked, this, &CopyButton::copy);
}

void CopyButton::copy()
{
    const QString text = m_text ? m_text() : QString();
    if (text.isEmpty())
        return;
    QApplication::clipboard()->setText(text);
    setText(tr("Copied"));
    setAccessibleDescription(tr("Copied to the clipboard"));
    m_reset.start();
    emit copied();
}

} // namespace azid::ui
