#pragma once

#include <QPushButton>
#include <QTimer>

#include <functional>

namespace azid::ui {

// A button that copies what `text` gives to the clipboard and says so for a moment ("Copied"),
// keeping its width so that nothing around it moves.
class CopyButton : public QPushButton
{
    Q_OBJECT
public:
    CopyButton(const QString &label, std::function<QString()> text, QWidget *parent = nullptr);

    // True while the button says that it copied.
    bool showsCopied() const { return m_reset.isActive(); }

signals:
    void copied();

private:
    void copy();

    QString m_label;
    std::function<QString()> m_text;
    QTimer m_reset;
};

} // namespace azid::ui
